"""Stand-ins for torch, torch.distributed, lightning, keras and transformers: just the surface
the recipes in docs/recipes.md touch, behaving as the real ones do where the logger could
trip (a tensor that requires grad, lives on a GPU or holds bfloat16 refuses numpy
conversion until detached, copied and widened). Importing this module installs them in
sys.modules, in place of a real framework even when one is installed, so that the tests
behave the same everywhere.
"""

import contextlib
import sys
import types

import numpy as np

_grad_enabled = [True]


def bfloat16(values):
    """float32 values rounded (down) to bfloat16 precision, as float32."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32) & np.uint32(0xFFFF0000)
    return bits.view(np.float32)


class Tensor:
    def __init__(self, data, requires_grad=False, device="cpu", dtype=None):
        self.data = np.asarray(data)
        self.requires_grad, self.device = requires_grad, device
        self.dtype = dtype or f"torch.{self.data.dtype}"

    def _like(self, data=None, **change):
        fields = dict(requires_grad=self.requires_grad, device=self.device, dtype=self.dtype)
        fields.update(change)
        return Tensor(self.data if data is None else data, **fields)

    def detach(self):
        return self._like(requires_grad=False)

    def cpu(self):
        return self._like(device="cpu")

    def to(self, device):
        return self._like(device=device)

    def float(self):
        return self._like(self.data.astype(np.float32), dtype="torch.float32")

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if self.device != "cpu":
            raise TypeError(f"can't convert {self.device} device type tensor to numpy.")
        if self.dtype == "torch.bfloat16":
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self.data if dtype is None else self.data.astype(dtype)

    def numpy(self):
        return self.__array__()

    @property
    def shape(self):
        return self.data.shape

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return self._like(self.data[index])


class Linear:
    """y = x W, output in bfloat16 on the input's device; calls forward hooks."""

    def __init__(self, weights):
        self.weights, self._hooks = weights, {}

    def register_forward_hook(self, hook):
        key = object()
        self._hooks[key] = hook
        return types.SimpleNamespace(remove=lambda: self._hooks.pop(key))

    def __call__(self, x):
        out = bfloat16(x.data.reshape(len(x.data), -1).astype(np.float32) @ self.weights)
        out = Tensor(out, requires_grad=_grad_enabled[0], device=x.device, dtype="torch.bfloat16")
        for hook in list(self._hooks.values()):
            hook(self, (x,), out)
        return out


class Net:
    """fc1 (the penultimate layer), ReLU, fc2 (the logits); parameters on 'cuda:0'."""

    def __init__(self, pixels, hidden, classes, seed=0):
        rng = np.random.default_rng(seed)
        self.fc1 = Linear(rng.normal(size=(pixels, hidden)).astype(np.float32))
        self.fc2 = Linear(rng.normal(size=(hidden, classes)).astype(np.float32))
        self.training, self.device = True, "cuda:0"

    def parameters(self):
        yield Tensor(self.fc1.weights, requires_grad=True, device=self.device)

    def eval(self):
        self.training = False
        return self

    def train(self, mode=True):
        self.training = mode
        return self

    def get_submodule(self, name):
        return getattr(self, name)

    def __call__(self, x):
        hidden = self.fc1(x)
        return self.fc2(hidden._like(np.maximum(hidden.data, 0)))

    def reference(self, images):
        """(fc1, logits) for all images at once, as float32 numpy arrays."""
        grad, _grad_enabled[0] = _grad_enabled[0], False
        hidden = self.fc1(Tensor(images))
        logits = self.fc2(hidden._like(np.maximum(hidden.data, 0)))
        _grad_enabled[0] = grad
        return hidden.data, logits.data


@contextlib.contextmanager
def no_grad():
    before, _grad_enabled[0] = _grad_enabled[0], False
    try:
        yield
    finally:
        _grad_enabled[0] = before


def _cat(tensors):
    tensors = list(tensors)
    return tensors[0]._like(np.concatenate([t.data for t in tensors]))


class Distributed:
    """torch.distributed as seen by rank 0 of two: the other rank's object comes from
    `other_rank()`, set by the test."""

    other_rank = None

    @staticmethod
    def get_rank():
        return 0

    @staticmethod
    def get_world_size():
        return 2

    @classmethod
    def gather_object(cls, obj, object_gather_list=None, dst=0):
        object_gather_list[0], object_gather_list[1] = obj, cls.other_rank()


def _module(name, **attributes):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    return module


def _install(name, module):
    sys.modules[name] = module


dist = _module("torch.distributed", get_rank=Distributed.get_rank,
               get_world_size=Distributed.get_world_size,
               gather_object=Distributed.gather_object)
_install("torch", _module("torch", no_grad=no_grad, cat=_cat, Tensor=Tensor, distributed=dist))
_install("torch.distributed", dist)
_install("lightning", _module("lightning", Callback=object))


class _Symbol:
    """A Keras symbolic tensor: how to compute it from the model's input."""

    def __init__(self, compute):
        self.compute = compute


class _KerasModel:
    def __init__(self, inputs, outputs, layers=None):
        self.inputs, self.outputs, self._layers = inputs, outputs, layers or {}

    def get_layer(self, name):
        return self._layers[name]

    def predict(self, x, verbose=0):
        return [out.compute(np.asarray(x)) for out in self.outputs]


_keras_callbacks = _module("keras.callbacks", Callback=type("Callback", (), {
    "__init__": lambda self: setattr(self, "model", None)}))
_install("keras", _module("keras", Model=_KerasModel, callbacks=_keras_callbacks))
_install("transformers", _module("transformers", TrainerCallback=object))


def keras_classifier(pixels, hidden, classes, seed=0):
    """A stand-in for a Keras model: dense (ReLU) then softmax; get_layer('dense')."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(size=(pixels, hidden)).astype(np.float32)
    w2 = rng.normal(size=(hidden, classes)).astype(np.float32)
    dense = _Symbol(lambda x: np.maximum(x.reshape(len(x), -1) @ w1, 0))

    def softmax(x):
        z = dense.compute(x) @ w2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    layers = {"dense": types.SimpleNamespace(output=dense)}
    return _KerasModel([_Symbol(lambda x: x)], [_Symbol(softmax)], layers)


class HfClassifier:
    """A stand-in for a Hugging Face image classifier around a `Net`: hidden states of shape
    (B, tokens, D) whose first token is the net's fc1 output."""

    def __init__(self, net, tokens=3):
        self.net, self.tokens, self.device, self.training = net, tokens, net.device, True

    def eval(self):
        self.training = False

    def train(self, mode=True):
        self.training = mode

    def __call__(self, pixel_values=None, output_hidden_states=False):
        hidden = self.net.fc1(pixel_values)
        logits = self.net.fc2(hidden._like(np.maximum(hidden.data, 0)))
        last = hidden._like(np.repeat(hidden.data[:, None, :], self.tokens, axis=1))
        return types.SimpleNamespace(logits=logits, hidden_states=(last,))
