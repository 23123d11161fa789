// Run face-api.js's own FaceExpressionNet (JavaScript, tfjs cpu backend) on
// the reference crops and write its outputs.
//
// Usage: node faceapi_reference.mjs <npm_dir> <crops.f32> <out.json>
//
// <npm_dir> is a folder where this was run (build.sh does it in a temp dir):
//   npm install --ignore-scripts @vladmandic/face-api@1.7.15 \
//       @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
// 4.22.0 is the tfjs that face-api 1.7.15 was built with (dist/tfjs.version.js).
// We load dist/face-api.node-wasm.js, face-api's Node build that uses the
// pure-JS @tensorflow/tfjs (+ the wasm backend package, which it requires but
// we do not select) instead of tfjs-node, whose native binary cannot be
// downloaded here; then we select tfjs's pure-JS 'cpu' backend.
//
// The weights are loaded by face-api itself from the package's own files
// (nets.faceExpressionNet.loadFromDisk(<pkg>/model): the manifest + .bin via
// tf.io.weightsLoaderFactory, i.e. tfjs's own uint8 dequantisation).
//
// <crops.f32>: little-endian float32, N x 112 x 112 x 3 (RGB, 0..255).
//
// How face-api treats a tensor input (checked in src/ of 1.7.15):
// predictExpressions(t) -> toNetInput(t) wraps a Tensor4D of batch 1 in a
// NetInput unchanged; FaceFeatureExtractor.forwardInput calls
// NetInput.toBatchTensor(112, true), which for a tensor does padToSquare
// (returns the tensor itself when height == width) and calls
// tf.image.resizeBilinear only if the size is not 112x112, then casts to
// float32. So a [1,112,112,3] float32 tensor reaches the network untouched
// (no padding, no resampling). This script also asserts that by comparing
// toBatchTensor's result with the crop bit for bit.
// (Careful: FaceExpressionNet.forwardInput(tensor) with a raw tf.Tensor4D,
// not a NetInput, would treat it as the bottleneck FEATURES and skip the
// feature extractor; predictExpressions does the right thing.)

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [npmDir, cropsPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node faceapi_reference.mjs <npm_dir> <crops.f32> <out.json>');
  process.exit(2);
}
const require = createRequire(path.resolve(npmDir, 'package.json'));
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const faceapiPkg = require('@vladmandic/face-api/package.json');
const tfjsPkg = require('@tensorflow/tfjs/package.json');
const tf = faceapi.tf;

const SIZE = 112;
const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];

async function main() {
  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') throw new Error(`backend is ${tf.getBackend()}`);
  if (JSON.stringify(faceapi.FACE_EXPRESSION_LABELS) !== JSON.stringify(LABELS)) {
    throw new Error(`unexpected label order ${faceapi.FACE_EXPRESSION_LABELS}`);
  }

  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  const net = faceapi.nets.faceExpressionNet;
  await net.loadFromDisk(modelDir);

  const buf = readFileSync(cropsPath);
  const per = SIZE * SIZE * 3;
  if (buf.length % (4 * per) !== 0) throw new Error(`${cropsPath}: ${buf.length} bytes is not N x ${per} float32`);
  const n = buf.length / (4 * per);
  const all = new Float32Array(n * per);
  for (let i = 0; i < n * per; i += 1) all[i] = buf.readFloatLE(4 * i);

  const outputs = [];
  for (let k = 0; k < n; k += 1) {
    const crop = all.subarray(k * per, (k + 1) * per);
    const x = tf.tensor4d(crop, [1, SIZE, SIZE, 3], 'float32');
    // what the network will see: must be the crop itself
    const netInput = await faceapi.toNetInput(x);
    const seen = netInput.toBatchTensor(SIZE, true);
    const seenData = seen.dataSync();
    seen.dispose();
    if (seenData.length !== crop.length || seenData.some((v, i) => v !== crop[i])) {
      throw new Error(`crop ${k}: face-api changed the input tensor`);
    }
    const expr = await net.predictExpressions(x);
    x.dispose();
    outputs.push(LABELS.map((l) => expr[l]));
  }

  const result = {
    what: 'outputs of face-api.js FaceExpressionNet.predictExpressions on reference/faceapi_expression_crops.f32',
    labels: LABELS,
    crops_file: path.basename(cropsPath),
    crops_shape: [n, SIZE, SIZE, 3],
    face_api_version: faceapiPkg.version,
    face_api_build: 'dist/face-api.node-wasm.js',
    tfjs_version: tfjsPkg.version,
    tfjs_core_version: tf.version_core,
    tfjs_backend: tf.getBackend(),
    note: 'values are the float32 softmax outputs converted exactly to double',
    scores: '@SCORES@',
  };
  // one line per crop, full precision (shortest round-trip repr of each value)
  const rows = outputs.map((o) => `    ${JSON.stringify(o)}`).join(',\n');
  const text = JSON.stringify(result, null, 2)
    .replace('"@SCORES@"', `[\n${rows}\n  ]`)
    .replace(/"crops_shape": \[[^\]]*\]/, `"crops_shape": ${JSON.stringify(result.crops_shape)}`);
  JSON.parse(text);
  writeFileSync(outPath, `${text}\n`);
  for (const o of outputs) {
    const best = o.indexOf(Math.max(...o));
    console.log(`${LABELS[best]} ${o[best].toFixed(4)}  [${o.map((v) => v.toFixed(4)).join(', ')}]`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
