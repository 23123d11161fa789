"""Convert MediaPipe's selfie segmentation model (selfie_segmentation.tflite,
npm @mediapipe/selfie_segmentation) to ONNX (opset 14).

Usage: python convert_selfie_segmentation.py <selfie_segmentation.tflite> <out.onnx>
Run by models/build.sh; needs tensorflow-cpu, tf2onnx, onnx from that script.
The output still goes through canonicalize_onnx.py (build.sh does that).

The model is plain TFLite except for its last layer, a transposed convolution
stored as the MediaPipe custom op ``Convolution2DTransposeBias`` (not known to
tf2onnx nor to the stock TFLite interpreter). Its semantics (MediaPipe
``mediapipe/util/tflite/operations/transpose_conv_bias.cc``, the same maths as
TFLite's builtin TRANSPOSE_CONV plus a bias):

* inputs: x [N, H, W, Cin] (NHWC), kernel [Cout, kH, kW, Cin] (OHWI), bias [Cout];
* custom options: a raw little-endian C struct ``TfLiteTransposeConvParams``
  {int32 padding (1 = SAME, 2 = VALID), int32 stride_width, int32 stride_height}
  (not a flexbuffer);
* out[n, y*sh + ky - pad_top, x*sw + kx - pad_left, o] +=
  x[n, y, x, i] * kernel[o, ky, kx, i]   (no kernel flip), then + bias[o].

tf2onnx 1.16.1 leaves an unknown TFLite op in the graph under the type
``TFL_<custom code>``; a custom-op handler (tf2onnx's ``custom_op_handlers``)
turns that node into standard ONNX ops while tf2onnx still runs its layout
(transpose) optimizer over the result:

    Transpose(NHWC->NCHW) -> ConvTranspose(kernel [Cin, Cout, kH, kW],
    strides, pads) -> Add(bias [1, Cout, 1, 1]) -> Transpose(NCHW->NHWC)

The model's own input/output stay NHWC: input ``input_1`` [1, 256, 256, 3]
float RGB in [0, 1], output ``activation_10`` [1, 256, 256, 1] (sigmoid
probability of "person").
"""
import os
import struct
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import tf2onnx  # noqa: E402
from tf2onnx.optimizer.transpose_optimizer import TransposeOptimizer  # noqa: E402
from tf2onnx.tflite.Model import Model  # noqa: E402

OPSET = 14
CUSTOM = "Convolution2DTransposeBias"
PADDING = {1: "SAME", 2: "VALID"}


def read_custom_ops(path):
    """{output tensor name: params} of every Convolution2DTransposeBias node,
    read straight from the flatbuffer; fails on any other custom op."""
    buf = bytearray(open(path, "rb").read())
    model = Model.GetRootAsModel(buf, 0)
    found = {}
    for s in range(model.SubgraphsLength()):
        g = model.Subgraphs(s)
        for i in range(g.OperatorsLength()):
            op = g.Operators(i)
            code = model.OperatorCodes(op.OpcodeIndex())
            custom = code.CustomCode()
            if not custom:
                continue
            custom = custom.decode()
            if custom != CUSTOM:
                raise SystemExit(f"error: unexpected custom op {custom!r}")
            raw = op.CustomOptionsAsNumpy().tobytes()
            if len(raw) < 12:
                raise SystemExit(f"error: {CUSTOM} options are {len(raw)} bytes, expected >= 12")
            padding, stride_w, stride_h = struct.unpack_from("<iii", raw)
            if padding not in PADDING:
                raise SystemExit(f"error: {CUSTOM} padding code {padding}")
            shapes = [g.Tensors(op.Inputs(k)).ShapeAsNumpy().tolist() for k in range(3)]
            out_t = g.Tensors(op.Outputs(0))
            found[out_t.Name().decode()] = {
                "padding": PADDING[padding], "stride_h": stride_h, "stride_w": stride_w,
                "input_shape": shapes[0], "kernel_shape": shapes[1], "bias_shape": shapes[2],
                "output_shape": out_t.ShapeAsNumpy().tolist(),
                "options_hex": raw.hex(),
            }
    return found


def transpose_conv_pads(in_size, out_size, k, s, padding):
    """(before, after) padding of TFLite's transposed convolution for one axis."""
    if padding == "VALID":
        expected = (in_size - 1) * s + k
        total = 0
    else:
        expected = in_size * s
        total = max(0, (in_size - 1) * s + k - out_size)
    if out_size != expected:
        raise SystemExit(f"error: output size {out_size}, expected {expected} ({padding})")
    before = total // 2
    return before, total - before


def const_value(node):
    """float32 value of a constant, looking through the Cast that tf2onnx makes
    of TFLite's DEQUANTIZE of a float16 constant (fp16 -> fp32 is exact)."""
    if node.type == "Cast" and node.inputs[0].is_const():
        value = node.inputs[0].get_tensor_value(as_list=False)
        if value.dtype != np.float16:
            raise SystemExit(f"error: {CUSTOM} weight stored as {value.dtype}")
        return value.astype(np.float32)
    if node.is_const():
        return node.get_tensor_value(as_list=False).astype(np.float32)
    raise SystemExit(f"error: {CUSTOM} weight comes from a {node.type} node, not a constant")


def make_handler(params_by_output):
    def handler(ctx, node, name, args):
        p = params_by_output[node.output[0]]
        _, in_h, in_w, cin = p["input_shape"]
        cout, kh, kw, kcin = p["kernel_shape"]
        _, out_h, out_w, ocout = p["output_shape"]
        assert kcin == cin and ocout == cout and p["bias_shape"] == [cout], p
        top, bottom = transpose_conv_pads(in_h, out_h, kh, p["stride_h"], p["padding"])
        left, right = transpose_conv_pads(in_w, out_w, kw, p["stride_w"], p["padding"])

        x = node.input[0]
        kernel = const_value(node.inputs[1])
        bias = const_value(node.inputs[2])
        assert list(kernel.shape) == p["kernel_shape"] and list(bias.shape) == [cout]
        # OHWI -> ONNX ConvTranspose [Cin, Cout/group, kH, kW]
        w_onnx = ctx.make_const(tf2onnx.utils.make_name(node.name + "_W"),
                                np.ascontiguousarray(kernel.transpose(3, 0, 1, 2)))
        b_onnx = ctx.make_const(tf2onnx.utils.make_name(node.name + "_B"),
                                np.ascontiguousarray(bias.reshape(1, cout, 1, 1)))
        out_name = node.output[0]
        dtypes = [ctx.get_dtype(out_name)]
        ctx.remove_node(node.name)

        to_nchw = ctx.make_node("Transpose", [x], attr={"perm": [0, 3, 1, 2]},
                                shapes=[[1, cin, in_h, in_w]], dtypes=dtypes)
        deconv = ctx.make_node("ConvTranspose", [to_nchw.output[0], w_onnx.output[0]],
                               attr={"kernel_shape": [kh, kw],
                                     "strides": [p["stride_h"], p["stride_w"]],
                                     "pads": [top, left, bottom, right],
                                     "dilations": [1, 1], "group": 1},
                               name=tf2onnx.utils.make_name(node.name),
                               shapes=[[1, cout, out_h, out_w]], dtypes=dtypes)
        add = ctx.make_node("Add", [deconv.output[0], b_onnx.output[0]],
                            shapes=[[1, cout, out_h, out_w]], dtypes=dtypes)
        ctx.make_node("Transpose", [add.output[0]], attr={"perm": [0, 2, 3, 1]},
                      outputs=[out_name], shapes=[[1, out_h, out_w, cout]], dtypes=dtypes)
        return None
    return handler


def let_transposes_through_hardswish():
    """tf2onnx 1.16.1's transpose optimizer does not know HardSwish (opset 14),
    an element-wise op, so every one of the model's 11 h_swish layers would
    keep a Transpose pair NCHW->NHWC->NCHW around it. Register it like Relu."""
    original = TransposeOptimizer._initialize_handlers

    def init(self):
        original(self)
        self._handler_map.setdefault("HardSwish", self._simple_through_handler)

    TransposeOptimizer._initialize_handlers = init


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    params = read_custom_ops(src)
    if not params:
        raise SystemExit(f"error: no {CUSTOM} op in {src}")
    for out, p in params.items():
        print(f"{CUSTOM} -> {out}: padding {p['padding']}, strides {p['stride_h']}x{p['stride_w']}, "
              f"kernel {p['kernel_shape']} (OHWI), options 0x{p['options_hex']}")
    let_transposes_through_hardswish()
    handlers = {"TFL_" + CUSTOM: (make_handler(params), [])}
    model_proto, _ = tf2onnx.convert.from_tflite(src, opset=OPSET, custom_op_handlers=handlers)
    ops = {n.op_type for n in model_proto.graph.node}
    if any(n.domain not in ("", "ai.onnx") for n in model_proto.graph.node) or any(
            t.startswith("TFL_") or t == CUSTOM for t in ops):
        raise SystemExit(f"error: non-standard op left in the graph: {sorted(ops)}")
    model_proto.doc_string = ""
    model_proto.graph.doc_string = ""
    onnx.checker.check_model(model_proto)
    with open(dst, "wb") as f:
        f.write(model_proto.SerializeToString())
    print(f"wrote {dst}: opset {OPSET}, ops {sorted(ops)}, "
          f"inputs={[i.name for i in model_proto.graph.input]} "
          f"outputs={[o.name for o in model_proto.graph.output]}")


if __name__ == "__main__":
    main()
