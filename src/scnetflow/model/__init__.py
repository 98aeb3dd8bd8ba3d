"""scNET model: layers, the autoencoder and its optimiser."""

from scnetflow.model.layers import ENCODERS, CSRGCNConv, DualViewBlock, LowRankGCNConv, SigmoidTransformerConv
from scnetflow.model.optim import BackwardAdam
from scnetflow.model.scnet import Graph, ModelConfig, ScNET

__all__ = ["ENCODERS", "BackwardAdam", "CSRGCNConv", "DualViewBlock", "Graph", "LowRankGCNConv", "ModelConfig", "ScNET", "SigmoidTransformerConv"]
