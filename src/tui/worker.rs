//! The worker threads: each has its own read-only `Store` and serves the newest request of
//! each kind first, so holding an arrow key never queues fifty computations. Work that takes
//! seconds has threads of its own so that what is on screen never waits behind it: t-SNE and
//! UMAP (one map at a time; the engine cannot be interrupted, so a superseded map delays the
//! newest one by at most the rest of its own run), and scans of every step (the header's
//! accuracy line reads all logits: seconds on a 100-step, 50,000-image run).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};

use super::jobs::{Request, Response, compute};
use crate::analysis::nonlinear::Stage;
use crate::query::mapcache::MapCache;
use crate::store::{Problem, Store, StoreError};

/// How a worker answers one request: [`compute`], or a stand-in in tests.
type Compute = fn(&mut Store, Request, Option<&MapCache>, &mut dyn FnMut(Stage)) -> Response;

thread_local! {
    /// Whether this thread is inside [`contain`]: its panics are answered, not fatal.
    static CONTAINING: Cell<bool> = const { Cell::new(false) };
    /// The message of the panic [`contain`] caught, noted by the panic hook.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Called by the viewer's panic hook: when the panicking thread is inside `contain`,
/// keeps the message for the failed answer and returns true (the terminal stays as it is).
pub fn note_contained_panic(info: &PanicHookInfo) -> bool {
    if !CONTAINING.with(Cell::get) {
        return false;
    }
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    let at = info
        .location()
        .map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
    CAUGHT.with(|c| *c.borrow_mut() = Some(format!("{what}{at}")));
    true
}

/// Runs `f`; a panic inside becomes `Err(message)` instead of ending the thread.
fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    CONTAINING.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(false));
    result.map_err(|payload| {
        CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map_or("a panic".into(), |s| s.to_string())
        })
    })
}

/// Which requests supersede each other: a newer request of the same kind replaces an older
/// one still waiting (thumbnails and refreshes are never dropped).
fn slot(request: &Request) -> Option<u8> {
    match request {
        Request::Scores { .. } => Some(0),
        Request::Projection { .. } => Some(1),
        Request::Clusters { .. } => Some(2),
        Request::Neighbours { .. } => Some(3),
        Request::History { .. } => Some(4),
        Request::Order { .. } => Some(5),
        Request::Suspects { .. } => Some(6),
        Request::Classes { .. } => Some(7),
        _ => None,
    }
}

/// Which thread runs a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    /// What the current step's view needs: milliseconds to a second.
    Quick,
    /// t-SNE and UMAP maps: seconds each.
    Maps,
    /// Reads every step of the run.
    Scan,
}

fn lane(request: &Request) -> Lane {
    match request {
        Request::Projection { method, .. } if method.is_nonlinear() => Lane::Maps,
        Request::Accuracies | Request::Suspects { .. } => Lane::Scan,
        _ => Lane::Quick,
    }
}

/// The background workers: three threads, each with its own `Store` on the same file, one
/// per lane (quick answers, maps, whole-run scans). All answer on `responses`.
pub struct Worker {
    quick: Sender<Request>,
    maps: Sender<Request>,
    scan: Sender<Request>,
    pub responses: Receiver<Response>,
}

impl Worker {
    /// Starts the threads on the database at `path`; t-SNE/UMAP maps are read from and
    /// written to `maps` when given.
    pub fn start(path: PathBuf, maps: Option<MapCache>) -> Result<Worker, StoreError> {
        Worker::start_with(path, maps, compute)
    }

    fn start_with(
        path: PathBuf,
        maps: Option<MapCache>,
        compute: Compute,
    ) -> Result<Worker, StoreError> {
        let (resp_tx, resp_rx) = std::sync::mpsc::channel::<Response>();
        let quick = spawn(&path, "deepscope-worker", resp_tx.clone(), None, compute)?;
        let scan = spawn(&path, "deepscope-scan", resp_tx.clone(), None, compute)?;
        let maps = spawn(&path, "deepscope-maps", resp_tx, maps, compute)?;
        Ok(Worker {
            quick,
            maps,
            scan,
            responses: resp_rx,
        })
    }

    /// Hands a request to the thread that runs its kind; fails if that thread has stopped.
    pub fn send(&self, request: Request) -> Result<(), crate::query::Error> {
        let to = match lane(&request) {
            Lane::Quick => &self.quick,
            Lane::Maps => &self.maps,
            Lane::Scan => &self.scan,
        };
        to.send(request)
            .map_err(|_| crate::query::Error::WorkerStopped)
    }
}

fn spawn(
    path: &Path,
    name: &str,
    responses: Sender<Response>,
    cache: Option<MapCache>,
    compute: Compute,
) -> Result<Sender<Request>, StoreError> {
    let mut store = Store::open(path)?;
    let (req_tx, req_rx) = std::sync::mpsc::channel::<Request>();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || serve(&mut store, req_rx, responses, cache, compute))
        .map_err(|e| StoreError::new(path, Problem::Io(e.to_string())))?;
    Ok(req_tx)
}

fn serve(
    store: &mut Store,
    requests: Receiver<Request>,
    responses: Sender<Response>,
    cache: Option<MapCache>,
    compute: Compute,
) {
    let mut queue: Vec<Request> = Vec::new();
    loop {
        if queue.is_empty() {
            match requests.recv() {
                Ok(r) => queue.push(r),
                Err(_) => return,
            }
        }
        // Take everything waiting; keep only the newest of each supersedable kind.
        loop {
            match requests.try_recv() {
                Ok(r) => queue.push(r),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let mut newest: HashMap<u8, usize> = HashMap::new();
        for (i, r) in queue.iter().enumerate() {
            if let Some(s) = slot(r) {
                newest.insert(s, i);
            }
        }
        let (keep, dropped): (Vec<_>, Vec<_>) = queue
            .drain(..)
            .enumerate()
            .partition(|(i, r)| slot(r).is_none_or(|s| newest[&s] == *i));
        // Every request is answered: the app stops waiting for a dropped one.
        for (_, r) in dropped {
            let keys = r.keys();
            if responses.send(Response::Superseded { keys }).is_err() {
                return;
            }
        }
        let keep: Vec<Request> = keep.into_iter().map(|(_, r)| r).collect();
        // Cheap requests first (thumbnails, scores), so what the user sees next is ready soon.
        let mut keep = keep;
        keep.sort_by_key(|r| match r {
            Request::Thumbnails { .. } | Request::Refresh => 0,
            Request::Scores { .. } | Request::Order { .. } => 1,
            Request::Projection { .. } | Request::Neighbours { .. } | Request::History { .. } => 2,
            _ => 3,
        });
        let next = keep.remove(0);
        queue = keep;
        let keys = next.keys();
        let key = keys.last().cloned();
        let progress = responses.clone();
        let mut stage = |stage| {
            if let Some(key) = &key {
                let _ = progress.send(Response::MapProgress {
                    key: key.clone(),
                    stage,
                });
            }
        };
        // A panic fails this request only: the viewer shows it and stays usable.
        let response = contain(|| compute(store, next, cache.as_ref(), &mut stage)).unwrap_or_else(
            |message| Response::Failed {
                keys,
                message: format!("internal error: {message}"),
            },
        );
        if responses.send(response).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Method;
    use std::time::Duration;

    fn sample() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist.sqlite")
    }

    fn tsne(step: i64) -> Request {
        Request::Projection {
            step,
            layer: "fc64".into(),
            method: Method::Tsne,
            reference: None,
            axes: None,
            fresh: false,
        }
    }

    /// Every response until the t-SNE map of `last` arrives, progress reports left out.
    fn until_map_of(worker: &Worker, last: i64) -> Vec<Response> {
        let mut seen = vec![];
        loop {
            let r = worker
                .responses
                .recv_timeout(Duration::from_secs(300))
                .expect("the worker answers");
            if matches!(r, Response::MapProgress { .. }) {
                continue;
            }
            let done = matches!(&r, Response::Projection { step, .. } if *step == last);
            let failed = matches!(&r, Response::Failed { .. });
            seen.push(r);
            assert!(!failed, "{seen:?}");
            if done {
                return seen;
            }
        }
    }

    /// Answers as the worker does, except that the accuracy scan panics.
    fn panicking_scan(
        store: &mut Store,
        request: Request,
        cache: Option<&MapCache>,
        stage: &mut dyn FnMut(Stage),
    ) -> Response {
        if matches!(request, Request::Accuracies) {
            panic!("scan exploded");
        }
        compute(store, request, cache, stage)
    }

    #[test]
    fn a_panicking_request_fails_alone_and_the_worker_keeps_answering() {
        let worker = Worker::start_with(sample(), None, panicking_scan).unwrap();
        let answer = || {
            worker
                .responses
                .recv_timeout(Duration::from_secs(60))
                .expect("the worker answers")
        };
        for _ in 0..2 {
            worker.send(Request::Accuracies).unwrap();
            match answer() {
                Response::Failed { keys, message } => {
                    assert_eq!(keys, Request::Accuracies.keys());
                    assert!(message.contains("scan exploded"), "{message}");
                }
                other => panic!("expected a failure, got {other:?}"),
            }
        }
        worker
            .send(Request::Scores {
                step: 6000,
                features: None,
            })
            .unwrap();
        assert!(matches!(answer(), Response::Scores { step: 6000, .. }));
    }

    #[test]
    fn quick_requests_do_not_wait_behind_a_map_and_superseded_maps_are_skipped() {
        let worker = Worker::start(sample(), None).unwrap();
        for step in [0, 10, 25] {
            worker.send(tsne(step)).unwrap();
        }
        worker.send(Request::Accuracies).unwrap();
        let seen = until_map_of(&worker, 25);
        let position = |f: &dyn Fn(&Response) -> bool| seen.iter().position(f);
        // The accuracies were asked for after three maps and still arrive before the last.
        assert!(position(&|r| matches!(r, Response::Accuracies(_))).is_some());
        // Step 10's map was asked for while step 0's was running (or waiting): superseded.
        assert!(position(&|r| matches!(r, Response::Projection { step: 10, .. })).is_none());
    }
}
