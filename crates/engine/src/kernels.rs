//! Plain loops for two operators whose generic tract implementations cost
//! far more than their arithmetic: 2× bilinear upsampling (BlazeFace's
//! feature pyramid) and max pooling (both models). Profiled on one core, the
//! full-range detector at 192×192 spent 2.0 of its 13.3 ms in three Resize
//! nodes and 1.5 ms in four MaxPool nodes; these loops take 0.24 and 0.21 ms.
//! The nodes are swapped for these kernels once tract has decluttered the
//! model (shapes and weights are then final), and only where a node is
//! exactly the case a kernel implements; tract then optimises the rest as
//! usual. (tract's depthwise convolution, the next largest cost, is already
//! faster than a plain loop: one was tried and measured slower.)

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    EvalContext, EvalOp, Op, StaticName, TypedModelPatch, TypedOp,
};
use tract_onnx::tract_core::ops::cnn::{MaxPool, PaddingSpec, PoolSpec};
use tract_onnx::tract_core::ops::nn::DataFormat;
use tract_onnx::tract_core::ops::nn::resize::{CoordTransformer, Interpolator, Resize};
use tract_onnx::tract_core::{as_op, op_as_typed_op, op_out_of_plan};

/// Declutters `model`, swaps in the kernels below where they apply, and
/// optimises the result.
pub fn optimized_with_fast_kernels(model: TypedModel) -> TractResult<TypedModel> {
    let mut model = model.into_decluttered()?;
    for id in 0..model.nodes.len() {
        let node = &model.nodes[id];
        if !(node.op_is::<Resize>() || node.op_is::<MaxPool>()) {
            continue;
        }
        let input = model.outlet_fact(node.inputs[0])?;
        let output = &node.outputs[0].fact;
        let (Some(input_shape), Some(output_shape)) =
            (input.shape.as_concrete(), output.shape.as_concrete())
        else {
            continue;
        };
        if input.datum_type != f32::datum_type() || input_shape.len() != 4 {
            continue;
        }
        let replacement: Option<Box<dyn TypedOp>> = if let Some(resize) = node.op_as::<Resize>() {
            is_double_bilinear(resize, input_shape, output_shape)
                .then(|| Box::new(UpsampleBilinear2x) as Box<dyn TypedOp>)
        } else if let Some(pool) = node.op_as::<MaxPool>() {
            (pool.with_index_outputs.is_none())
                .then(|| Window::for_spec(&pool.pool_spec, input_shape, output_shape))
                .flatten()
                .map(|window| Box::new(MaxPoolNchw { window }) as Box<dyn TypedOp>)
        } else {
            None
        };
        if let Some(op) = replacement {
            let patch = TypedModelPatch::replace_single_op(&model, node, &node.inputs[..1], op)?;
            patch.apply(&mut model)?;
        }
    }
    model.into_optimized()
}

fn is_double_bilinear(resize: &Resize, input: &[usize], output: &[usize]) -> bool {
    resize.coord_transformer == CoordTransformer::HalfPixel
        && resize.interpolator == Interpolator::Linear
        && output[..2] == input[..2]
        && input[2] > 0
        && input[3] > 0
        && output[2] == input[2] * 2
        && output[3] == input[3] * 2
}

/// ONNX Resize, linear, half-pixel coordinates, scales [1, 1, 2, 2], NCHW:
/// each output pixel is 3/4 of its nearest input pixel and 1/4 of the next
/// one towards it, edges clamped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct UpsampleBilinear2x;

impl Op for UpsampleBilinear2x {
    fn name(&self) -> StaticName {
        "UpsampleBilinear2x".into()
    }

    op_as_typed_op!();
}

impl EvalOp for UpsampleBilinear2x {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = &inputs[0];
        let shape = input.shape();
        let (planes, height, width) = (shape[0] * shape[1], shape[2], shape[3]);
        let source = input.try_as_plain_ram()?.as_slice::<f32>()?;
        let mut output = vec![0f32; planes * height * width * 4];
        let mut wide = vec![0f32; height * width * 2];
        for (plane, out) in source
            .chunks_exact(height * width)
            .zip(output.chunks_exact_mut(height * width * 4))
        {
            for (row, wide_row) in plane
                .chunks_exact(width)
                .zip(wide.chunks_exact_mut(width * 2))
            {
                upsample_line(row, wide_row);
            }
            for y in 0..height {
                let here = &wide[y * width * 2..][..width * 2];
                let above = &wide[y.saturating_sub(1) * width * 2..][..width * 2];
                let below = &wide[(y + 1).min(height - 1) * width * 2..][..width * 2];
                let (upper, lower) = out[y * width * 4..][..width * 4].split_at_mut(width * 2);
                for x in 0..width * 2 {
                    upper[x] = 0.75 * here[x] + 0.25 * above[x];
                    lower[x] = 0.75 * here[x] + 0.25 * below[x];
                }
            }
        }
        let output = Tensor::from_shape(&[shape[0], shape[1], height * 2, width * 2], &output)?;
        Ok(tvec!(output.into_tvalue()))
    }
}

fn upsample_line(line: &[f32], out: &mut [f32]) {
    let last = line.len() - 1;
    for (x, &here) in line.iter().enumerate() {
        let left = line[x.saturating_sub(1)];
        let right = line[(x + 1).min(last)];
        out[2 * x] = 0.75 * here + 0.25 * left;
        out[2 * x + 1] = 0.75 * here + 0.25 * right;
    }
}

impl TypedOp for UpsampleBilinear2x {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let mut shape = inputs[0].shape.to_tvec();
        shape[2] = shape[2].clone() * 2;
        shape[3] = shape[3].clone() * 2;
        Ok(tvec!(f32::fact(shape)))
    }

    as_op!();
}

/// Where a pooling window lies: for each spatial axis its size, stride and
/// padding before, and the output size.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Window {
    kernel: [usize; 2],
    strides: [usize; 2],
    pad_before: [usize; 2],
    output: [usize; 2],
}

impl Window {
    /// The window of an NCHW, undilated 2-D `spec`, if its output shape is
    /// the one tract computed.
    fn for_spec(spec: &PoolSpec, input: &[usize], output: &[usize]) -> Option<Window> {
        let plain = spec.data_format == DataFormat::NCHW
            && spec.kernel_shape.len() == 2
            && spec.dilations().iter().all(|&d| d == 1)
            && !matches!(spec.padding, PaddingSpec::ExplicitOnnxPool(_, _, true));
        let empty = input.iter().chain(output).any(|&len| len == 0);
        if !plain || empty || output[..2] != input[..2] {
            return None;
        }
        let padding = spec.computed_padding(&input[2..]);
        let strides = spec.strides();
        let computed = [padding[0].convoluted, padding[1].convoluted];
        if computed != [output[2], output[3]] {
            return None;
        }
        Some(Window {
            kernel: [spec.kernel_shape[0], spec.kernel_shape[1]],
            strides: [strides[0], strides[1]],
            pad_before: [padding[0].pad_before, padding[1].pad_before],
            output: computed,
        })
    }

    /// The input positions the window of output position `out` covers on
    /// one axis, clipped to the input.
    fn range(&self, axis: usize, out: usize, len: usize) -> std::ops::Range<usize> {
        let start = (out * self.strides[axis]) as isize - self.pad_before[axis] as isize;
        let end = (start + self.kernel[axis] as isize).clamp(0, len as isize) as usize;
        start.clamp(0, len as isize) as usize..end
    }
}

/// Max pooling over NCHW planes; padded positions never win.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct MaxPoolNchw {
    window: Window,
}

impl Op for MaxPoolNchw {
    fn name(&self) -> StaticName {
        "MaxPoolNchw".into()
    }

    op_as_typed_op!();
}

impl EvalOp for MaxPoolNchw {
    op_out_of_plan!();

    /// Max pooling is separable: the maximum over each window's columns,
    /// row by row, then over its rows.
    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = &inputs[0];
        let shape = input.shape();
        let (height, width) = (shape[2], shape[3]);
        let window = &self.window;
        let [out_height, out_width] = window.output;
        let rows: Vec<_> = (0..out_height)
            .map(|y| window.range(0, y, height))
            .collect();
        let source = input.try_as_plain_ram()?.as_slice::<f32>()?;
        let mut output = vec![f32::NEG_INFINITY; shape[0] * shape[1] * out_height * out_width];
        let mut narrow = vec![0f32; height * out_width];
        for (plane, out) in source
            .chunks_exact(height * width)
            .zip(output.chunks_exact_mut(out_height * out_width))
        {
            for (row, narrow_row) in plane
                .chunks_exact(width)
                .zip(narrow.chunks_exact_mut(out_width))
            {
                max_over_columns(row, narrow_row, window);
            }
            for (out_row, rows) in out.chunks_exact_mut(out_width).zip(&rows) {
                for row in rows.clone() {
                    let narrow_row = &narrow[row * out_width..][..out_width];
                    for (max, &value) in out_row.iter_mut().zip(narrow_row) {
                        *max = larger(*max, value);
                    }
                }
            }
        }
        let output = Tensor::from_shape(&[shape[0], shape[1], out_height, out_width], &output)?;
        Ok(tvec!(output.into_tvalue()))
    }
}

/// Each output column's maximum over its window of `row`, one window
/// offset at a time, rather than one loop per window (which was most of the
/// classifier's pooling time).
fn max_over_columns(row: &[f32], out: &mut [f32], window: &Window) {
    let (kernel, stride, pad) = (window.kernel[1], window.strides[1], window.pad_before[1]);
    // 2×2 windows at stride 2 (the detector's) in one pass.
    if kernel == 2 && stride == 2 && pad == 0 && out.len() * 2 <= row.len() {
        for (max, pair) in out.iter_mut().zip(row.as_chunks::<2>().0) {
            *max = larger(pair[0], pair[1]);
        }
        return;
    }
    out.fill(f32::NEG_INFINITY);
    for offset in 0..kernel {
        // Output x reads row[x * stride + offset - pad]; positions before
        // the row (padding) are skipped, and the zip stops at its end.
        let first = pad.saturating_sub(offset).div_ceil(stride);
        let position = first * stride + offset - pad;
        let (Some(out), Some(values)) = (out.get_mut(first..), row.get(position..)) else {
            continue;
        };
        if stride == 2 {
            // As fixed-size pairs: three times faster than `step_by` on
            // the classifier's 3×3 windows over 60-pixel rows.
            let (pairs, last) = values.as_chunks::<2>();
            for (max, pair) in out.iter_mut().zip(pairs) {
                *max = larger(*max, pair[0]);
            }
            if let (Some(max), Some(&value)) = (out.get_mut(pairs.len()), last.first()) {
                *max = larger(*max, value);
            }
        } else {
            for (max, &value) in out.iter_mut().zip(values.iter().step_by(stride)) {
                *max = larger(*max, value);
            }
        }
    }
}

/// The larger of two values; unlike `f32::max`, simple enough to vectorise.
fn larger(a: f32, b: f32) -> f32 {
    if b > a { b } else { a }
}

impl TypedOp for MaxPoolNchw {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let mut shape = inputs[0].shape.to_tvec();
        shape[2] = self.window.output[0].into();
        shape[3] = self.window.output[1].into();
        Ok(tvec!(f32::fact(shape)))
    }

    as_op!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use tract_onnx::tract_core::ops::nn::resize::Nearest;

    fn pseudo_random(len: usize, seed: u32) -> Vec<f32> {
        let mut state = 0x2545_f491_u32 ^ seed;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state % 2001) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    /// Runs `wire` on one random NCHW input, optimised by tract alone and
    /// with the kernels, asserts a kernel was used and the outputs agree.
    fn assert_kernel_matches_tract(
        shape: [usize; 4],
        wire: impl Fn(&mut TypedModel, OutletId) -> TractResult<OutletId>,
    ) {
        let mut model = TypedModel::default();
        let source = model.add_source("input", f32::fact(shape)).unwrap();
        let output = wire(&mut model, source).unwrap();
        model.select_output_outlets(&[output]).unwrap();
        let fast = optimized_with_fast_kernels(model.clone()).unwrap();
        let swapped = fast
            .nodes
            .iter()
            .any(|node| node.op_is::<UpsampleBilinear2x>() || node.op_is::<MaxPoolNchw>());
        assert!(swapped, "no kernel used for {shape:?}");
        let input = Tensor::from_shape(&shape, &pseudo_random(shape.iter().product(), 1)).unwrap();
        let run = |model: TypedModel| {
            let mut outputs = model
                .into_runnable()
                .unwrap()
                .run(tvec!(input.clone().into()))
                .unwrap();
            outputs.remove(0).into_tensor()
        };
        let (expected, actual) = (run(model.into_optimized().unwrap()), run(fast));
        assert_eq!(expected.shape(), actual.shape());
        let expected = expected.try_as_plain_ram().unwrap();
        let actual = actual.try_as_plain_ram().unwrap();
        let pairs = expected
            .as_slice::<f32>()
            .unwrap()
            .iter()
            .zip(actual.as_slice::<f32>().unwrap());
        for (index, (e, a)) in pairs.enumerate() {
            assert!(
                (e - a).abs() < 1e-4,
                "{shape:?} at {index}: tract {e}, kernel {a}"
            );
        }
    }

    fn pool_spec(
        channels: usize,
        kernel: [usize; 2],
        strides: [usize; 2],
        padding: PaddingSpec,
    ) -> PoolSpec {
        PoolSpec {
            data_format: DataFormat::NCHW,
            kernel_shape: kernel.iter().copied().collect(),
            padding,
            dilations: None,
            strides: Some(strides.iter().copied().collect()),
            input_channels: channels,
            output_channels: channels,
        }
    }

    #[test]
    fn the_upsampling_kernel_matches_tracts_resize() {
        for shape in [[1, 3, 6, 6], [1, 2, 5, 7], [1, 1, 1, 1]] {
            assert_kernel_matches_tract(shape, |model, input| {
                let scales = model.add_const("scales", tensor1(&[1f32, 1.0, 2.0, 2.0]))?;
                let resize = Resize {
                    coord_transformer: CoordTransformer::HalfPixel,
                    interpolator: Interpolator::Linear,
                    nearest: Nearest::Floor,
                    optional_scales_input: Some(1),
                    optional_sizes_input: None,
                };
                Ok(model.wire_node("resize", resize, &[input, scales])?[0])
            });
        }
    }

    #[test]
    fn the_pooling_kernel_matches_tracts_max_pool() {
        let cases = [
            ([1, 4, 8, 8], [2, 2], [2, 2], PaddingSpec::Valid),
            ([1, 3, 9, 7], [2, 2], [2, 2], PaddingSpec::Valid),
            ([1, 2, 15, 15], [3, 3], [2, 2], PaddingSpec::SameUpper),
            ([1, 2, 8, 6], [3, 3], [2, 2], PaddingSpec::SameUpper),
            ([1, 2, 7, 7], [3, 3], [1, 1], PaddingSpec::SameLower),
            ([1, 2, 9, 11], [5, 5], [2, 2], PaddingSpec::SameLower),
        ];
        for (shape, kernel, strides, padding) in cases {
            assert_kernel_matches_tract(shape, |model, input| {
                let pool = MaxPool {
                    pool_spec: pool_spec(shape[1], kernel, strides, padding.clone()),
                    with_index_outputs: None,
                };
                Ok(model.wire_node("pool", pool, &[input])?[0])
            });
        }
    }
}
