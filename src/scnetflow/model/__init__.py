"""scNET model: layers, the autoencoder and its optimiser."""

from scnetflow.model.layers import ENCODERS, DualViewBlock, SigmoidTransformerConv
from scnetflow.model.optim import BackwardAdam
from scnetflow.model.scnet import Graph, ModelConfig, ScNET

__all__ = ["ENCODERS", "BackwardAdam", "DualViewBlock", "Graph", "ModelConfig", "ScNET", "SigmoidTransformerConv"]
