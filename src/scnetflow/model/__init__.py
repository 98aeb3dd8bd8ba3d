"""scNET model: layers, the autoencoder and its optimiser."""

from scnetflow.model.layers import ENCODERS, CSRGCNConv, DualViewBlock, SigmoidTransformerConv
from scnetflow.model.lowrank import LowRankGCNConv, LowRankSAGEConv
from scnetflow.model.optim import BackwardAdam
from scnetflow.model.scnet import Graph, ModelConfig, ScNET

__all__ = ["ENCODERS", "BackwardAdam", "CSRGCNConv", "DualViewBlock", "Graph", "LowRankGCNConv", "LowRankSAGEConv", "ModelConfig", "ScNET", "SigmoidTransformerConv"]
