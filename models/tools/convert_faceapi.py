"""Convert face-api.js's FaceExpressionNet (face_expression_model) to ONNX.

Usage: python convert_faceapi.py <model_dir> <out.onnx>

<model_dir> holds face_expression_model-weights_manifest.json and the .bin
shard(s) it names (the `model/` folder of @vladmandic/face-api 1.7.15).
Needs only numpy and onnx. The graph is written node by node with
onnx.helper, following face-api's own code (src/ of the npm package):

* FaceFeatureExtractor.forwardInput: x = (rgb - [122.782, 117.001, 104.298]) / 255
  (ops/normalize: tf.sub of a float32 fill, then .div(255)), then
  denseBlock4(dense0, isFirstLayer) -> dense1 -> dense2 -> dense3, then
  tf.avgPool(out, [7, 7], [2, 2], 'valid');
* denseBlock4 (isScaleDown = true):
      out1 = relu(conv0(x))            conv0 stride 2; dense0: a regular conv2d
                                       + bias, other blocks: separable conv
      out2 = sep(out1)                 separable convs conv1..3 have stride 1
      out3 = sep(relu(out1 + out2))    and NO relu of their own
      out4 = sep(relu(out1 + (out2 + out3)))
      return relu(out1 + (out2 + (out3 + out4)))
  (sums kept in exactly this bracketing, as float addition is not associative);
* depthwiseSeparableConv: tf.separableConv2d(x, depthwise [3,3,C,1],
  pointwise [1,1,C,O], stride, 'same') + bias: depthwise 3x3 with the stride
  and TF 'same' padding, then pointwise 1x1 stride 1, then the bias;
* TF 'same' padding puts the odd pixel at the END: a 3x3 stride-2 conv on an
  even-sized input pads 0 before and 1 after (explicit ONNX pads [0,0,1,1]);
  stride 1 pads 1 on each side;
* FaceProcessor.runNet: features.as2D(1, -1) then tf.matMul(x, fc/weights
  [256, 7]) + fc/bias (weights already [in, out]: Gemm without transpose);
  FaceExpressionNet.forwardInput: tf.softmax.

Weights (tf.io.decodeWeights): for each manifest group the shards in `paths`
are concatenated in order and the entries are read one after another;
uint8-quantised entries take 1 byte each and are `q * scale + min` computed
in double then stored as float32 (as tfjs does), float32 entries 4 bytes LE.

ONNX interface (opset 13, IR 7, batch fixed at 1):
  input  `input`  float32 [1, 112, 112, 3]  NHWC, RGB 0..255 (not normalised)
  output `scores` float32 [1, 7]            softmax, in face-api order
         neutral, happy, sad, angry, fearful, disgusted, surprised
Ops: Sub, Div, Transpose, Conv (regular, depthwise group=C, 1x1), Relu, Add,
AveragePool, Flatten, Gemm, Softmax. Names are derived from the face-api
weight names; initializers are sorted by name; the file is written with
deterministic serialisation, so it is byte-identical from run to run.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INPUT_SIZE = 112
MEAN_RGB = [122.782, 117.001, 104.298]
LABELS = ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"]
MANIFEST = "face_expression_model-weights_manifest.json"


def load_weights(model_dir: str) -> dict:
    with open(os.path.join(model_dir, MANIFEST)) as f:
        manifest = json.load(f)
    weights = {}
    for group in manifest:
        buf = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            shape = [int(d) for d in w["shape"]]
            n = int(np.prod(shape)) if shape else 1
            if w["dtype"] != "float32":
                raise SystemExit(f"{w['name']}: unsupported dtype {w['dtype']}")
            q = w.get("quantization")
            if q is None:
                arr = np.frombuffer(buf, dtype="<f4", count=n, offset=off).astype(np.float32)
                off += 4 * n
            elif q["dtype"] == "uint8":
                raw = np.frombuffer(buf, dtype=np.uint8, count=n, offset=off)
                off += n
                arr = (raw.astype(np.float64) * float(q["scale"]) + float(q["min"])).astype(np.float32)
            else:
                raise SystemExit(f"{w['name']}: unsupported quantization {q['dtype']}")
            if w["name"] in weights:
                raise SystemExit(f"duplicate weight {w['name']}")
            weights[w["name"]] = arr.reshape(shape)
        if off != len(buf):
            raise SystemExit(f"manifest group {group['paths']}: read {off} of {len(buf)} bytes")
    return weights


def same_pads(size: int, k: int, stride: int):
    """TF 'same': out = ceil(size / stride), odd padding pixel at the end."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2, out


class Builder:
    def __init__(self, weights: dict):
        self.w = weights
        self.used = set()
        self.nodes = []
        self.inits = {}

    def init(self, name: str, arr: np.ndarray) -> str:
        assert name not in self.inits, name
        self.inits[name] = numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), name)
        return name

    def weight(self, name: str) -> np.ndarray:
        self.used.add(name)
        return self.w[name]

    def node(self, op: str, inputs, name: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op, list(inputs), [name], name=name, **attrs))
        return name

    def conv(self, x: str, name: str, w_oihw: np.ndarray, bias, size: int, stride: int, group: int = 1):
        k = w_oihw.shape[2]
        b, a, out = same_pads(size, k, stride)
        inputs = [x, self.init(name + "/W", w_oihw)]
        if bias is not None:
            inputs.append(self.init(name + "/B", bias))
        self.node("Conv", inputs, name, kernel_shape=[k, k], strides=[stride, stride],
                  pads=[b, b, a, a], dilations=[1, 1], group=group)
        return name, out

    def regular_conv(self, x: str, prefix: str, size: int, stride: int):
        f = self.weight(prefix + "/filters")  # [kh, kw, in, out]
        return self.conv(x, prefix, f.transpose(3, 2, 0, 1), self.weight(prefix + "/bias"), size, stride)

    def separable_conv(self, x: str, prefix: str, size: int, stride: int):
        dw = self.weight(prefix + "/depthwise_filter")  # [kh, kw, C, 1]
        pw = self.weight(prefix + "/pointwise_filter")  # [1, 1, C, O]
        assert dw.shape[3] == 1 and pw.shape[:2] == (1, 1), (dw.shape, pw.shape)
        c = dw.shape[2]
        d, out = self.conv(x, prefix + "/depthwise", dw.transpose(2, 3, 0, 1), None, size, stride, group=c)
        p, out = self.conv(d, prefix + "/pointwise", pw.transpose(3, 2, 0, 1),
                           self.weight(prefix + "/bias"), out, 1)
        return p, out

    def dense_block4(self, x: str, prefix: str, size: int, first: bool):
        if first:
            c0, size = self.regular_conv(x, prefix + "/conv0", size, 2)
        else:
            c0, size = self.separable_conv(x, prefix + "/conv0", size, 2)
        out1 = self.node("Relu", [c0], prefix + "/out1")
        out2, _ = self.separable_conv(out1, prefix + "/conv1", size, 1)
        s12 = self.node("Add", [out1, out2], prefix + "/in3_sum")
        in3 = self.node("Relu", [s12], prefix + "/in3")
        out3, _ = self.separable_conv(in3, prefix + "/conv2", size, 1)
        s23 = self.node("Add", [out2, out3], prefix + "/in4_sum23")
        s123 = self.node("Add", [out1, s23], prefix + "/in4_sum")
        in4 = self.node("Relu", [s123], prefix + "/in4")
        out4, _ = self.separable_conv(in4, prefix + "/conv3", size, 1)
        t34 = self.node("Add", [out3, out4], prefix + "/out_sum34")
        t234 = self.node("Add", [out2, t34], prefix + "/out_sum234")
        t1234 = self.node("Add", [out1, t234], prefix + "/out_sum")
        return self.node("Relu", [t1234], prefix + "/out"), size


def build(weights: dict) -> onnx.ModelProto:
    b = Builder(weights)
    mean = b.init("normalize/mean_rgb", np.asarray(MEAN_RGB, dtype=np.float32).reshape(1, 1, 1, 3))
    d255 = b.init("normalize/255", np.asarray(255.0, dtype=np.float32))
    x = b.node("Sub", ["input", mean], "normalize/sub")
    x = b.node("Div", [x, d255], "normalize/div")
    x = b.node("Transpose", [x], "to_nchw", perm=[0, 3, 1, 2])
    size = INPUT_SIZE
    for i in range(4):
        x, size = b.dense_block4(x, f"dense{i}", size, first=(i == 0))
    assert size == 7, size
    # tf.avgPool(out, [7, 7], [2, 2], 'valid') on 7x7 -> 1x1
    x = b.node("AveragePool", [x], "avg_pool", kernel_shape=[7, 7], strides=[2, 2], pads=[0, 0, 0, 0])
    x = b.node("Flatten", [x], "flatten", axis=1)
    fc_w = b.weight("fc/weights")  # [256, 7], used as x @ W
    fc_b = b.weight("fc/bias")
    assert fc_w.shape == (256, 7) and fc_b.shape == (7,), (fc_w.shape, fc_b.shape)
    x = b.node("Gemm", [x, b.init("fc/W", fc_w), b.init("fc/B", fc_b)], "fc",
               alpha=1.0, beta=1.0, transA=0, transB=0)
    b.node("Softmax", [x], "scores", axis=1)

    unused = sorted(set(weights) - b.used)
    if unused:
        raise SystemExit(f"unused weights: {unused}")

    graph = helper.make_graph(
        b.nodes, "faceapi_face_expression_net",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, INPUT_SIZE, INPUT_SIZE, 3])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, len(LABELS)])],
        initializer=[b.inits[k] for k in sorted(b.inits)],
    )
    model = helper.make_model(
        graph, producer_name="igemoji convert_faceapi.py", producer_version="1",
        opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    helper.set_model_props(model, {
        "labels": ",".join(LABELS),
        "source": "@vladmandic/face-api 1.7.15 model/face_expression_model (MIT)",
    })
    onnx.checker.check_model(model, full_check=True)
    return model


def main() -> None:
    model_dir, dst = sys.argv[1], sys.argv[2]
    model = build(load_weights(model_dir))
    with open(dst, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))
    print(f"wrote {dst}: {len(model.graph.node)} nodes, "
          f"{sum(int(np.prod(t.dims)) for t in model.graph.initializer)} parameters")


if __name__ == "__main__":
    main()
