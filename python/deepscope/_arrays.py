"""Turns what a training loop holds into the arrays a stats database stores.

Accepted everywhere an array is expected: numpy arrays, anything `numpy.asarray` takes, and
tensors of PyTorch-like libraries, found by duck typing so that numpy stays the only
dependency: `.detach()` drops autograd, `.cpu()` copies from a GPU, bfloat16 (which numpy
lacks) becomes float32 through `.float()`. A list or tuple of such arrays is taken as
per-batch pieces and concatenated along the first axis.

Thumbnail layouts: N x H x W, N x H x W x C, N x C x H x W (C = 1 or 3); a last axis of 1 or 3
is read as channels. Thumbnail rule (also in the package's docstring): uint8 is stored as it is; integers within
0..255 are stored as they are; float images with every value in [0, 1] are scaled by 255;
with `mean` and `std` given, `x * std + mean` undoes a normalisation first and the result,
expected in [0, 1], is scaled by 255; any other range is stretched from the set's minimum
and maximum to 0..255.
"""

import warnings

import numpy as np

# The largest magnitude deepscope's store and `check` accept (store::MAX_MAGNITUDE, a float32):
# its analyses compute in float32, where larger values' squares and sums could overflow.
MAX_MAGNITUDE = np.float32(1e9)
# A thumbnail set whose brightest pixel is below this is drawn (nearly) black by the viewer.
DARK_LIMIT = 64


def _is_arraylike(x):
    return isinstance(x, np.ndarray) or hasattr(x, "__array__") or hasattr(x, "detach")


def to_numpy(what, values):
    """One numpy array from an array, a tensor, or a list of per-batch pieces of either."""
    if isinstance(values, (list, tuple)) and values and all(_is_arraylike(v) for v in values):
        pieces = [to_numpy(what, v) for v in values]
        if all(p.ndim == 0 for p in pieces):
            return np.stack(pieces)  # a list of scalars, e.g. numpy integers
        if any(p.ndim == 0 for p in pieces):
            raise ValueError(f"{what}: a list of per-batch arrays holds a scalar")
        try:
            return np.concatenate(pieces, axis=0)
        except ValueError as e:
            raise ValueError(f"{what}: the per-batch arrays do not fit together ({e})") from e
    x = values
    try:
        if hasattr(x, "detach") and callable(x.detach):
            x = x.detach()  # a tensor that requires grad
        if hasattr(x, "cpu") and callable(x.cpu):
            x = x.cpu()  # a tensor on a GPU
        if "bfloat16" in str(getattr(x, "dtype", "")) and hasattr(x, "float"):
            x = x.float()  # numpy has no bfloat16
        a = np.asarray(x)
    except Exception as e:
        raise ValueError(f"{what}: cannot be read as an array ({type(e).__name__}: {e})") from e
    if a.dtype.name == "bfloat16":  # e.g. JAX arrays, through ml_dtypes
        a = a.astype(np.float32)
    return a


def _is_real(a):
    return a.dtype != np.bool_ and (np.issubdtype(a.dtype, np.floating)
                                    or np.issubdtype(a.dtype, np.integer))


def matrix(what, values, n):
    """An n x dim little-endian float32 matrix, or ValueError saying what is wrong."""
    a = to_numpy(what, values)
    if a.ndim < 1 or a.shape[0] != n:
        found = f"{a.shape[0]} rows" if a.ndim else "a scalar"
        raise ValueError(f"{what}: {found}, expected one per image ({n}); per-batch "
                         "pieces may be passed as a list")
    if not _is_real(a):
        raise ValueError(f"{what}: dtype {a.dtype} is not a real number type")
    a = a.reshape(n, -1)  # conv maps etc. are flattened per image
    if a.shape[1] == 0:
        raise ValueError(f"{what}: no values per image")
    bad = ~np.isfinite(a)
    if bad.any():
        raise ValueError(f"{what}: {int(bad.sum())} NaN or infinite values "
                         f"(first in image {int(np.argmax(bad.any(axis=1)))})")
    with np.errstate(over="ignore"):
        a = np.ascontiguousarray(a, dtype="<f4")
    huge = np.abs(a) > MAX_MAGNITUDE  # judged as stored, as the store judges it
    if huge.any():
        raise ValueError(f"{what}: {int(huge.sum())} values of magnitude above 1e9, too large "
                         f"for float32 analyses (first in image {int(np.argmax(huge.any(axis=1)))})")
    return a


def labels(values):
    """Integer class ids as a 1-D int64 array; floats are refused, not truncated."""
    a = to_numpy("labels", values)
    if a.ndim != 1 or a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integers, got {a.dtype} "
                         f"of shape {a.shape}")
    return a.astype(np.int64)


def _layout(t, n):
    """The thumbnails as N x H x W x C (C = 1 or 3), whatever layout they came in."""
    shape = t.shape
    ok_n = t.ndim >= 1 and shape[0] == n
    if ok_n and t.ndim == 3:
        return t[..., None]
    if ok_n and t.ndim == 4 and shape[3] in (1, 3):
        return t  # N x H x W x C
    if ok_n and t.ndim == 4 and shape[1] in (1, 3):
        return t.transpose(0, 2, 3, 1)  # N x C x H x W, as PyTorch holds images
    raise ValueError(f"thumbnails must be N x H x W, N x H x W x C or N x C x H x W with "
                     f"N = {n} and C = 1 or 3, got shape {shape}")


def _to_bytes(t, mean, std):
    if (mean is None) != (std is None):
        raise ValueError("thumbnails: give both mean and std, or neither")
    integer = np.issubdtype(t.dtype, np.integer)
    if t.dtype == np.uint8 and mean is None:
        return t
    t = t.astype(np.float64)
    bad = ~np.isfinite(t)
    if bad.any():
        raise ValueError(f"thumbnails: {int(bad.sum())} NaN or infinite values "
                         f"(first in image {int(np.argmax(bad.reshape(len(t), -1).any(axis=1)))})")
    lo, hi = t.min(), t.max()
    if mean is not None:
        channels = t.shape[3]
        mean = np.broadcast_to(np.asarray(mean, dtype=np.float64).reshape(-1), (channels,))
        std = np.broadcast_to(np.asarray(std, dtype=np.float64).reshape(-1), (channels,))
        t = (t * std + mean) * 255.0
    elif integer and lo >= 0 and hi <= 255:
        pass  # 8-bit pixel values in a wider integer type
    elif not integer and lo >= 0 and hi <= 1:
        t = t * 255.0
    else:
        t = (t - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(t)
    return np.clip(np.rint(t), 0, 255).astype(np.uint8)


def thumbnails(values, n, mean=None, std=None):
    """N x H x W x C uint8 pixels by the module's rule, or ValueError."""
    t = _layout(to_numpy("thumbnails", values), n)
    if not _is_real(t):
        raise ValueError(f"thumbnails: dtype {t.dtype} is not a real number type")
    if t.shape[1] == 0 or t.shape[2] == 0:
        raise ValueError(f"thumbnails: empty images of {t.shape[1]} x {t.shape[2]} pixels")
    pixels = np.ascontiguousarray(_to_bytes(t, mean, std))
    brightest = int(pixels.max())
    if brightest < DARK_LIMIT:
        warnings.warn(f"thumbnails: the brightest pixel is {brightest} of 255, so the viewer "
                      "draws them nearly black; pass floats (stretched to 0..255) or "
                      "thumbnail_mean=/thumbnail_std= to undo a normalisation", stacklevel=4)
    return pixels
