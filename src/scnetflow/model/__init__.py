"""scNET model: layers, the autoencoder and its optimiser."""

from scnetflow.model.layers import ENCODERS, CSRGCNConv, DualViewBlock, SigmoidTransformerConv
from scnetflow.model.lowrank import LowRankGCNConv, LowRankSAGEConv
from scnetflow.model.optim import BackwardAdam
from scnetflow.model.scnet import FULL_WIDTH_MAX, Graph, ModelConfig, ScNET, full_width_weights, resolve_config

__all__ = ["ENCODERS", "FULL_WIDTH_MAX", "BackwardAdam", "CSRGCNConv", "DualViewBlock", "Graph", "LowRankGCNConv",
           "LowRankSAGEConv", "ModelConfig", "ScNET", "SigmoidTransformerConv", "full_width_weights", "resolve_config"]
