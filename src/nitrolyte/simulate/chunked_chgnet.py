"""CHGNet's energy with the message passing chunked and checkpointed: memory for MD of big cells.

For the force (one backward pass), autograd keeps every intermediate of CHGNet's forward pass.
Most of them are per *angle* and per *bond* (the gated MLPs of the bond, angle and atom updates
see a 192-256-wide concatenation per row): ~5.5 MB per atom for dense nitrides, 11.7 GB at
2,048 atoms. Here each update runs over blocks of at most ``chunk_rows`` angles or bonds, each
block under ``torch.utils.checkpoint`` (``use_reentrant=False``, which works with
``torch.autograd.grad``): autograd keeps only the block's inputs (the layer's atom, bond and angle
features, shared by all blocks) and its output, and recomputes one block at a time in the backward
pass. The peak then holds the features of every layer plus one block's activations.

The arithmetic is CHGNet's own (its layers' sub-modules, called in the same order on the same
rows; the rows of a block are independent: LayerNorm acts per row, the scatter-sums are split into
partial sums), so energies and forces equal the unmodified model's to float32 rounding (tested).
Written against chgnet 0.4.2 (``CHGNet._compute`` with ``compute_force=False`` for energy only).
"""

from __future__ import annotations

from typing import Any

#: rows (angles or bonds) per checkpointed block
DEFAULT_CHUNK_ROWS = 8192


def _blocks(n: int, size: int) -> list[tuple[int, int]]:
    return [(i, min(n, i + size)) for i in range(0, n, size)] or [(0, 0)]


def _ckpt(fn: Any, *args: Any) -> Any:
    from torch.utils.checkpoint import checkpoint

    return checkpoint(fn, *args, use_reentrant=False)


def atom_conv(layer: Any, atom_feas: Any, bond_feas: Any, bond_weights: Any, atom_graph: Any,
              directed2undirected: Any, chunk: int) -> Any:
    """``AtomConv.forward``, the per-bond messages summed over blocks of bonds."""
    import torch

    def block(a: Any, b: Any, w: Any, lo: int, hi: int) -> Any:
        graph, d2u = atom_graph[lo:hi], directed2undirected[lo:hi]
        msg = torch.cat([a.index_select(0, graph[:, 0]), b.index_select(0, d2u),
                         a.index_select(0, graph[:, 1])], dim=1)
        msg = layer.twoBody_atom(msg) * w.index_select(0, d2u)
        return msg.new_zeros(len(a), msg.shape[1]).index_add(0, graph[:, 0], msg)

    new = sum(_ckpt(block, atom_feas, bond_feas, bond_weights, lo, hi)
              for lo, hi in _blocks(len(atom_graph), chunk))
    if layer.use_mlp_out:
        new = layer.mlp_out(new)
    if layer.resnet:
        new = new + atom_feas
    return new if layer.atom_norm is None else layer.atom_norm(new)


def _three_body(a: Any, b: Any, ang: Any, graph: Any) -> Any:
    """The per-angle input of the bond and angle updates: [bond i, bond j, angle, centre atom]."""
    import torch

    return torch.cat([b.index_select(0, graph[:, 1]), b.index_select(0, graph[:, 2]), ang,
                      a.index_select(0, graph[:, 0])], dim=1)


def bond_conv(layer: Any, atom_feas: Any, bond_feas: Any, bond_weights: Any, angle_feas: Any,
              bond_graph: Any, chunk: int) -> Any:
    """``BondConv.forward``, the per-angle updates summed over blocks of angles."""

    def block(a: Any, b: Any, w: Any, ang: Any, lo: int, hi: int) -> Any:
        graph = bond_graph[lo:hi]
        upd = layer.twoBody_bond(_three_body(a, b, ang[lo:hi], graph))
        upd = upd * w.index_select(0, graph[:, 1]) * w.index_select(0, graph[:, 2])
        return upd.new_zeros(len(b), upd.shape[1]).index_add(0, graph[:, 1], upd)

    new = sum(_ckpt(block, atom_feas, bond_feas, bond_weights, angle_feas, lo, hi)
              for lo, hi in _blocks(len(bond_graph), chunk))
    if layer.use_mlp_out:
        new = layer.mlp_out(new)
    if layer.resnet:
        new = new + bond_feas
    return new if layer.bond_norm is None else layer.bond_norm(new)


def angle_update(layer: Any, atom_feas: Any, bond_feas: Any, angle_feas: Any, bond_graph: Any,
                 chunk: int) -> Any:
    """``AngleUpdate.forward`` over blocks of angles (each angle's update is its own row)."""
    import torch

    def block(a: Any, b: Any, ang: Any, lo: int, hi: int) -> Any:
        new = layer.twoBody_bond(_three_body(a, b, ang[lo:hi], bond_graph[lo:hi]))
        if layer.resnet:
            new = new + ang[lo:hi]
        return new if layer.angle_norm is None else layer.angle_norm(new)

    return torch.cat([_ckpt(block, atom_feas, bond_feas, angle_feas, lo, hi)
                      for lo, hi in _blocks(len(bond_graph), chunk)], dim=0)


def energy(model: Any, g: Any, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Any:
    """Total energy (eV, model part, composition model excluded) of each graph of batch ``g``.

    Parameters
    ----------
    model : chgnet.model.CHGNet
        In eval mode.
    g : chgnet.model.model.BatchedGraph
        Built with ``BatchedGraph.from_graphs`` (positions requiring grad for forces).
    chunk_rows : int
        Angles or bonds per checkpointed block (smaller: less memory, a little more time).
    """
    import torch

    m = model
    atoms_per_graph = torch.bincount(g.atom_owners)
    atom_feas = m.atom_embedding(g.atomic_numbers - 1)
    bond_feas = m.bond_embedding(g.bond_bases_ag)
    w_ag = m.bond_weights_ag(g.bond_bases_ag)
    w_bg = m.bond_weights_bg(g.bond_bases_bg)
    has_angles = len(g.angle_bases) != 0
    angle_feas = m.angle_embedding(g.angle_bases) if has_angles else None
    for atom_layer, bond_layer, angle_layer in zip(m.atom_conv_layers[:-1], m.bond_conv_layers,
                                                   m.angle_layers, strict=False):
        atom_feas = atom_conv(atom_layer, atom_feas, bond_feas, w_ag, g.batched_atom_graph,
                              g.directed2undirected, chunk_rows)
        if has_angles and bond_layer is not None:
            bond_feas = bond_conv(bond_layer, atom_feas, bond_feas, w_bg, angle_feas,
                                  g.batched_bond_graph, chunk_rows)
            if angle_layer is not None:
                angle_feas = angle_update(angle_layer, atom_feas, bond_feas, angle_feas,
                                          g.batched_bond_graph, chunk_rows)
    atom_feas = atom_conv(m.atom_conv_layers[-1], atom_feas, bond_feas, w_ag,
                          g.batched_atom_graph, g.directed2undirected, chunk_rows)
    if m.readout_norm is not None:
        atom_feas = m.readout_norm(atom_feas)
    if m.mlp_first:
        return m.pooling(m.mlp(atom_feas), g.atom_owners).view(-1)
    return m.mlp(m.pooling(atom_feas, g.atom_owners)).view(-1) * atoms_per_graph
