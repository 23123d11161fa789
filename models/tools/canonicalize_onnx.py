"""Rewrite an ONNX file into a canonical form so that repeated conversions
produce the same bytes.

tf2onnx 1.16.1 is not byte-deterministic: its optimizer may emit the nodes of
parallel branches in a different (equally valid) topological order, and the
names it invents carry a global counter (``const_fold_opt__482``,
``conv2d__48``...) whose values change from run to run. This script changes
neither the maths nor any name that tf2onnx took from the source model:

* nodes are re-ordered by a depth-first walk from the graph outputs that visits
  a node's inputs in argument order (a topological order that depends only on
  the graph's structure);
* every tensor or node name containing a generated counter ``__<digits>`` gets
  the counter replaced by ``__c<k>``, k being the order of first appearance in
  that walk;
* initializers and value_info are sorted by that order, node attributes by
  name; doc strings are cleared.

Usage: python canonicalize_onnx.py <in.onnx> <out.onnx>
"""
import re
import sys

import onnx

GEN = re.compile(r"__\d+")


def canonicalize(model: onnx.ModelProto) -> onnx.ModelProto:
    g = model.graph
    producer = {}
    for idx, node in enumerate(g.node):
        for out in node.output:
            if out:
                producer[out] = idx
    # depth-first post-order from the outputs, inputs visited in argument order
    order, state = [], {}
    for out in g.output:
        if out.name not in producer:
            continue
        stack = [(producer[out.name], 0)]
        while stack:
            idx, pos = stack.pop()
            if state.get(idx) == 2:
                continue
            state[idx] = 1
            inputs = g.node[idx].input
            while pos < len(inputs):
                src = producer.get(inputs[pos])
                pos += 1
                if src is not None and state.get(src) is None:
                    stack.append((idx, pos))
                    stack.append((src, 0))
                    break
                if src is not None and state.get(src) == 1:
                    raise ValueError("graph has a cycle")
            else:
                state[idx] = 2
                order.append(idx)
    if len(order) != len(g.node):
        raise ValueError(f"{len(g.node) - len(order)} nodes unreachable from outputs")

    rank = {}  # name -> first-appearance index
    for name in [i.name for i in g.input]:
        rank.setdefault(name, len(rank))
    for idx in order:
        node = g.node[idx]
        for name in list(node.input) + list(node.output):
            if name:
                rank.setdefault(name, len(rank))
    for out in g.output:
        rank.setdefault(out.name, len(rank))

    mapping = {}
    counter = 0
    for name in sorted(rank, key=rank.get):
        if GEN.search(name):
            mapping[name] = GEN.sub(f"__c{counter}", name)
            counter += 1
    node_names = {}
    for k, idx in enumerate(order):
        nm = g.node[idx].name
        if GEN.search(nm):
            node_names[idx] = GEN.sub(f"__n{k}", nm)

    def ren(name: str) -> str:
        return mapping.get(name, name)

    new_nodes = []
    for idx in order:
        node = onnx.NodeProto()
        node.CopyFrom(g.node[idx])
        node.name = node_names.get(idx, node.name)
        node.doc_string = ""
        for i, name in enumerate(node.input):
            node.input[i] = ren(name)
        for i, name in enumerate(node.output):
            node.output[i] = ren(name)
        attrs = sorted(node.attribute, key=lambda a: a.name)
        del node.attribute[:]
        node.attribute.extend(attrs)
        new_nodes.append(node)

    unranked = len(rank)
    inits = []
    for t in g.initializer:
        t2 = onnx.TensorProto()
        t2.CopyFrom(t)
        t2.name = ren(t.name)
        inits.append((rank.get(t.name, unranked), t2.name, t2))
    inits.sort(key=lambda x: (x[0], x[1]))
    vinfos = []
    for v in g.value_info:
        v2 = onnx.ValueInfoProto()
        v2.CopyFrom(v)
        v2.name = ren(v.name)
        vinfos.append((rank.get(v.name, unranked), v2.name, v2))
    vinfos.sort(key=lambda x: (x[0], x[1]))

    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(t for _, _, t in inits)
    del g.value_info[:]
    g.value_info.extend(v for _, _, v in vinfos)
    for v in list(g.input) + list(g.output):
        v.name = ren(v.name)
    g.doc_string = ""
    model.doc_string = ""
    return model


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    model = canonicalize(onnx.load(src))
    onnx.checker.check_model(model)
    with open(dst, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))


if __name__ == "__main__":
    main()
