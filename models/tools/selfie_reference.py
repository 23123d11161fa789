"""Reference masks for selfie_segmentation.onnx and the onnxruntime parity check.

Usage: python selfie_reference.py <selfie_segmentation.tflite> <models_dir>
Run by models/build.sh (tensorflow-cpu, onnxruntime from that script).

Reads the committed inputs reference/selfie_segmentation_inputs.{f32,json}
(written by make_selfie_inputs.py) and writes
  reference/selfie_segmentation_masks.f32   N x 256 x 256 x 1 float32 LE
  reference/selfie_segmentation.json        description, figures, diffs
failing (exit 1) if onnxruntime differs from the reference by more than 1e-4.

The reference is TensorFlow's own tf.lite.Interpreter (num_threads=1, its
default XNNPACK CPU path, as for the BlazeFace references). The stock
interpreter cannot load the file as it is: the last layer is the MediaPipe
custom op Convolution2DTransposeBias, which only MediaPipe registers. So the
flatbuffer is patched in memory: that one operator becomes TFLite's builtin
TRANSPOSE_CONV (version 3, which takes a bias) with the same kernel, bias,
padding and strides (from the op's custom options) and a constant
output_shape; nothing else changes. Two checks tie this to MediaPipe's op:

* here, on every build: a second interpreter (reference kernels,
  BUILTIN_REF, all tensors kept) gives the op's input; the op is recomputed
  in float64 with NumPy exactly as MediaPipe's transpose_conv_bias.cc defines
  it (scatter of kernel[o, ky, kx, i] at y*stride + ky - pad, no flip, + bias)
  and compared with the builtin TRANSPOSE_CONV's output (the logits);
* once, by hand (tools/selfie_mediapipe_check.py, separate venv with the
  `mediapipe` PyPI package): MediaPipe's own runtime, custom op included, on
  the same inputs against the masks written here.
"""
import json
import os
import struct
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.lite.python import schema_py_generated as schema  # noqa: E402
from tensorflow.lite.tools import flatbuffer_utils  # noqa: E402

TOL = 1e-4
CUSTOM = b"Convolution2DTransposeBias"
ONNX_NAME = "selfie_segmentation.onnx"


def patch_custom_op(tflite_path):
    """(patched model bytes, {input, output, kernel, bias} tensor indices)."""
    model = flatbuffer_utils.read_model(tflite_path)
    code = schema.OperatorCodeT()
    code.builtinCode = schema.BuiltinOperator.TRANSPOSE_CONV
    code.deprecatedBuiltinCode = schema.BuiltinOperator.TRANSPOSE_CONV
    code.version = 3
    model.operatorCodes.append(code)
    code_index = len(model.operatorCodes) - 1
    graph = model.subgraphs[0]
    patched = []
    for op in graph.operators:
        if model.operatorCodes[op.opcodeIndex].customCode != CUSTOM:
            continue
        padding, stride_w, stride_h = struct.unpack_from("<iii", bytes(op.customOptions))
        x, kernel, bias = op.inputs
        out = op.outputs[0]
        shape = np.asarray(graph.tensors[out].shape, dtype="<i4")
        buf = schema.BufferT()
        buf.data = np.frombuffer(shape.tobytes(), dtype=np.uint8)
        model.buffers.append(buf)
        t = schema.TensorT()
        t.shape, t.type, t.buffer = [4], schema.TensorType.INT32, len(model.buffers) - 1
        t.name = b"selfie_reference_output_shape"
        graph.tensors.append(t)
        opts = schema.TransposeConvOptionsT()
        opts.padding = {1: schema.Padding.SAME, 2: schema.Padding.VALID}[padding]
        opts.strideW, opts.strideH = stride_w, stride_h
        op.opcodeIndex = code_index
        op.inputs = [len(graph.tensors) - 1, kernel, x, bias]
        op.builtinOptionsType = schema.BuiltinOptions.TransposeConvOptions
        op.builtinOptions = opts
        op.customOptions = None
        patched.append({"input": x, "kernel": kernel, "bias": bias, "output": out,
                        "padding": padding, "stride": (stride_h, stride_w)})
    if len(patched) != 1:
        raise SystemExit(f"error: expected one {CUSTOM.decode()} op, found {len(patched)}")
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model)), patched[0]


def numpy_transpose_conv_bias(x, kernel, bias, stride, padding, out_hw):
    """MediaPipe Convolution2DTransposeBias in float64; x NHWC, kernel OHWI."""
    n, h, w, _ = x.shape
    cout, kh, kw, _ = kernel.shape
    sh, sw = stride
    oh, ow = out_hw
    pad_t = max(0, (h - 1) * sh + kh - oh) // 2 if padding == 1 else 0
    pad_l = max(0, (w - 1) * sw + kw - ow) // 2 if padding == 1 else 0
    full = np.zeros((n, (h - 1) * sh + kh, (w - 1) * sw + kw, cout))
    for ky in range(kh):
        for kx in range(kw):
            contrib = np.einsum("nyxi,oi->nyxo", x, kernel[:, ky, kx, :])
            full[:, ky:ky + (h - 1) * sh + 1:sh, kx:kx + (w - 1) * sw + 1:sw, :] += contrib
    return full[:, pad_t:pad_t + oh, pad_l:pad_l + ow, :] + bias


def ort_session(model):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def with_logits_output(path):
    """The ONNX model with the input of its final Sigmoid as a second output
    (NCHW): the mask saturates (logits reach several hundred), so the masks
    alone would hide most differences."""
    model = onnx.load(path)
    sig = [n for n in model.graph.node if n.op_type == "Sigmoid"][-1]
    model.graph.output.append(
        onnx.helper.make_tensor_value_info(sig.input[0], onnx.TensorProto.FLOAT, None))
    return model.SerializeToString()


def mask_stats(mask):
    m = mask[:, :, 0]
    h, w = m.shape
    c = 8  # corner patches of 8x8 pixels
    return {
        "fraction_above_0.5": float((m > 0.5).mean()),
        "mean": float(m.mean()),
        "min": float(m.min()),
        "max": float(m.max()),
        "corners_8x8_mean": {"top_left": float(m[:c, :c].mean()),
                             "top_right": float(m[:c, -c:].mean()),
                             "bottom_left": float(m[-c:, :c].mean()),
                             "bottom_right": float(m[-c:, -c:].mean())},
    }


def main() -> None:
    tflite_path, models_dir = sys.argv[1], sys.argv[2]
    ref_dir = os.path.join(models_dir, "reference")
    with open(os.path.join(ref_dir, "selfie_segmentation_inputs.json")) as f:
        inputs_desc = json.load(f)
    shape = inputs_desc["shape"]
    raw = np.fromfile(os.path.join(ref_dir, inputs_desc["file"]), dtype="<f4")
    if raw.size != int(np.prod(shape)):
        raise SystemExit(f"error: {inputs_desc['file']} has {raw.size} values, expected {shape}")
    xs = raw.reshape(shape)

    content, op = patch_custom_op(tflite_path)
    interp = tf.lite.Interpreter(model_content=content, num_threads=1)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    assert list(inp["shape"]) == [1] + shape[1:], inp["shape"]
    ref_interp = tf.lite.Interpreter(
        model_content=content, num_threads=1,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
        experimental_preserve_all_tensors=True)
    ref_interp.allocate_tensors()
    onnx_path = os.path.join(models_dir, ONNX_NAME)
    sess = ort_session(onnx_path)
    onnx_in, onnx_out = sess.get_inputs()[0], sess.get_outputs()[0]
    logits_sess = ort_session(with_logits_output(onnx_path))
    logits_name = logits_sess.get_outputs()[1].name

    masks, entries, failures = [], [], []
    worst_op = 0.0
    for i, desc in enumerate(inputs_desc["inputs"]):
        x = xs[i:i + 1]
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        ref = interp.get_tensor(out["index"]).copy()

        # the op itself, float64 NumPy vs TFLite's builtin TRANSPOSE_CONV (logits)
        ref_interp.set_tensor(inp["index"], x)
        ref_interp.invoke()
        feat = ref_interp.get_tensor(op["input"]).astype(np.float64)
        kernel = ref_interp.get_tensor(op["kernel"]).astype(np.float64)
        bias = ref_interp.get_tensor(op["bias"]).astype(np.float64)
        logits = ref_interp.get_tensor(op["output"]).astype(np.float64)
        mine = numpy_transpose_conv_bias(feat, kernel, bias, op["stride"], op["padding"],
                                         logits.shape[1:3])
        op_diff = float(np.max(np.abs(mine - logits) / (1.0 + np.abs(logits))))
        worst_op = max(worst_op, op_diff)

        got = sess.run([onnx_out.name], {onnx_in.name: x})[0]
        diff = float(np.max(np.abs(got - ref)))
        got_logits = logits_sess.run([logits_name], {onnx_in.name: x})[0].transpose(0, 2, 3, 1)
        logits_diff = float(np.max(np.abs(got_logits - logits) / (1.0 + np.abs(logits))))
        if diff > TOL:
            failures.append(f"{desc['name']}: {diff:.3e}")
        masks.append(ref[0])
        entries.append({
            "index": i, "name": desc["name"], "source": desc["source"],
            "onnxruntime_max_abs_diff": diff,
            "onnxruntime_logits_max_rel_diff": logits_diff,
            "numpy_op_vs_tflite_transpose_conv_max_rel_diff": op_diff,
            "logits_range": [float(logits.min()), float(logits.max())],
            "mask": mask_stats(ref[0]),
        })
        print(f"{desc['name']:>24}: onnxruntime vs tflite max abs diff {diff:.3e} "
              f"(logits, relative: {logits_diff:.1e}); op check {op_diff:.1e}; "
              f"mask > 0.5: {entries[-1]['mask']['fraction_above_0.5']:.3f}")
    if worst_op > 1e-5:
        failures.append(f"NumPy Convolution2DTransposeBias vs TRANSPOSE_CONV: {worst_op:.3e}")

    data = np.ascontiguousarray(np.stack(masks), dtype="<f4")
    masks_file = "selfie_segmentation_masks.f32"
    with open(os.path.join(ref_dir, masks_file), "wb") as f:
        f.write(data.tobytes())
    manifest = {
        "model": ONNX_NAME,
        "input": {"name": onnx_in.name, "shape": [1] + shape[1:], "layout": "NHWC",
                  "dtype": "float32", "values": "RGB in [0, 1]"},
        "output": {"name": onnx_out.name, "shape": [1] + list(data.shape[1:]),
                   "layout": "NHWC", "values": "probability of person (sigmoid)"},
        "inputs_file": inputs_desc["file"],
        "inputs_description": "selfie_segmentation_inputs.json",
        "masks_file": masks_file,
        "masks_shape": list(data.shape),
        "dtype": "float32 little-endian, row-major, no header",
        "reference_framework": (
            f"tf.lite.Interpreter (tensorflow {tf.__version__}), num_threads=1, on "
            "selfie_segmentation.tflite with its custom op Convolution2DTransposeBias "
            "replaced in memory by builtin TRANSPOSE_CONV v3 (same kernel, bias, padding, "
            "strides)"),
        "tolerance_abs": TOL,
        "onnxruntime": f"onnxruntime {ort.__version__}, CPU, 1 thread",
        "onnxruntime_max_abs_diff": max(e["onnxruntime_max_abs_diff"] for e in entries),
        "onnxruntime_logits_check": ("the input of the final Sigmoid (ONNX) vs the output of "
                                     "TRANSPOSE_CONV (TFLite reference kernels): "
                                     "max |a - b| / (1 + |b|); not a pass/fail figure"),
        "numpy_op_check": "max over inputs of |numpy - tflite| / (1 + |tflite|) on the logits",
        "numpy_op_vs_tflite_transpose_conv_max_rel_diff": worst_op,
        "results": entries,
    }
    with open(os.path.join(ref_dir, "selfie_segmentation.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"{ONNX_NAME}: onnxruntime vs tflite max abs diff = "
          f"{manifest['onnxruntime_max_abs_diff']:.3e} over {len(entries)} inputs")
    if failures:
        print("PARITY FAILURE: " + "; ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
