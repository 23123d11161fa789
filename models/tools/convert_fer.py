"""Convert fer's Keras mini-Xception (emotion_model.hdf5) to ONNX (opset 13).

Usage: python convert_fer.py <emotion_model.hdf5> <out.onnx>
Run by models/build.sh; needs tensorflow-cpu, tf2onnx, onnx from that script.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import tensorflow as tf  # noqa: E402
import tf2onnx  # noqa: E402
import onnx  # noqa: E402


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.models.load_model(src, compile=False)
    assert tuple(model.input_shape) == (None, 64, 64, 1), model.input_shape
    assert tuple(model.output_shape) == (None, 7), model.output_shape
    spec = [tf.TensorSpec((1, 64, 64, 1), tf.float32, name="input")]
    model_proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=13)
    # keep the file free of anything run-dependent
    model_proto.doc_string = ""
    model_proto.graph.doc_string = ""
    onnx.checker.check_model(model_proto)
    with open(dst, "wb") as f:
        f.write(model_proto.SerializeToString())
    print(f"wrote {dst}: inputs={[i.name for i in model_proto.graph.input]} "
          f"outputs={[o.name for o in model_proto.graph.output]}")


if __name__ == "__main__":
    main()
