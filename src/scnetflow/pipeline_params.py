"""The pipeline's params and the flags each step gets from them, generated from the step dataclasses.

``python -m scnetflow.pipeline_params [--check] [ROOT]`` rewrites (or checks) the blocks between the
``generated`` markers of ``nextflow.config`` (each setting once, as a param with the field's name, default
and help) and ``conf/modules.config`` (the flag each process passes from it). Adding a setting is one field
(:func:`scnetflow.params.option`) and a run of this command; ``tests/test_params_contract.py`` fails until
the files are current. One name means one thing: a field shared by two steps (``seed``, ``n_neighbors``)
must have one default, and becomes one param feeding both.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from scnetflow.params import Setting, settings

#: Begin and end markers of a generated block in ``nextflow.config`` and ``conf/modules.config``.
BEGIN = "// >>> generated from the step dataclasses by `python -m scnetflow.pipeline_params`: edit those, not these lines"
END = "// <<< generated"


def step_params() -> dict[str, tuple[type, ...]]:
    """step -> its dataclasses (in pipeline order), imported on demand (the train step's pulls in torch)."""
    from scnetflow.cluster_eval import ClusterEvalParams
    from scnetflow.coembed import CoembedParams
    from scnetflow.diffnet import DiffnetParams
    from scnetflow.evaluate_network import EvaluateNetworkParams
    from scnetflow.graphs import GraphsParams
    from scnetflow.gsea import GseaParams
    from scnetflow.model.scnet import ModelConfig
    from scnetflow.propagate import PropagateParams
    from scnetflow.qc import QCParams
    from scnetflow.report import ReportParams
    from scnetflow.train.params import TrainParams

    return {"qc": (QCParams,), "graphs": (GraphsParams,), "train": (TrainParams, ModelConfig),
            "cluster-eval": (ClusterEvalParams,), "coembed": (CoembedParams,),
            "evaluate-network": (EvaluateNetworkParams,),
            "propagate": (PropagateParams,), "diffnet": (DiffnetParams,), "gsea": (GseaParams,),
            "report": (ReportParams,)}


def pipeline_settings() -> dict[str, list[Setting]]:
    """step -> its settings that are pipeline params; a name shared by two steps must share its default."""
    seen: dict[str, Setting] = {}
    out: dict[str, list[Setting]] = {}
    for step, classes in step_params().items():
        out[step] = [s for cls in classes for s in settings(cls) if s.param]
        for s in out[step]:
            if s.name in seen and seen[s.name].default != s.default:
                raise ValueError(f"{s.name} is a setting of two steps with defaults {seen[s.name].default!r} and "
                                 f"{s.default!r}; one name must mean one thing (rename one of them)")
            seen.setdefault(s.name, s)
    return out


def groovy(value: Any) -> str:
    """A default as ``nextflow.config`` writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, tuple):  # a repeatable setting: one comma-separated string
        return "'" + ",".join(str(v) for v in value) + "'"
    return repr(value)


def _comment(text: str) -> str:
    return text.replace("\n", " ")


def params_block(indent: str = "    ") -> list[str]:
    """The generated lines of ``nextflow.config``'s ``params {}``: each step's params once, with its help."""
    lines, done = [], set()
    for step, items in pipeline_settings().items():
        new = [s for s in items if s.name not in done]
        lines.append(f"{indent}// {step}" + ("" if len(new) == len(items) else
                                            f" (also {', '.join(s.name for s in items if s.name in done)}, above)"))
        for s in new:
            lines.append(f"{indent}{s.name:<22} = {groovy(s.default):<11} // {_comment(s.help)}")
            done.add(s.name)
    return lines


def _arg(s: Setting) -> str:
    """The Groovy expression of one flag in an ``ext.args`` list, from ``params.<name>``."""
    p = f"params.{s.name}"
    if s.multiple:  # the comma-separated param, one flag per item ('' or null: none)
        item = "'${v.trim()}'" if s.type is str else "${v.trim()}"
        return f"({p} ?: '').toString().tokenize(',').collect {{ v -> \"{s.flag} {item}\" }}.join(' ')"
    if s.type is bool:
        return f"{p} ? '{s.flag}' : '--no-{s.flag[2:]}'"
    value = f"'${{{p}}}'" if s.type is str else f"${{{p}}}"  # quoted: a title has spaces
    if s.default is None:
        return f"{p} != null ? \"{s.flag} {value}\" : ''"
    return f"\"{s.flag} {value}\""


def args_block(step: str, indent: str = "            ") -> list[str]:
    """The generated items of a process's ``ext.args`` list (``conf/modules.config``)."""
    return [f"{indent}{_arg(s)}," for s in pipeline_settings()[step]]


def _replace_blocks(text: str, blocks: list[list[str]], path: Path) -> str:
    """``text`` with the lines between each pair of markers replaced by the next block, in order."""
    pattern = re.compile(rf"^([ \t]*){re.escape(BEGIN)}\n.*?^[ \t]*{re.escape(END)}\n", re.S | re.M)
    found = list(pattern.finditer(text))
    if len(found) != len(blocks):
        raise ValueError(f"{path}: {len(found)} generated blocks, expected {len(blocks)}")
    out, last = [], 0
    for m, block in zip(found, blocks):
        ind = m.group(1)
        out += [text[last:m.start()], f"{ind}{BEGIN}\n", *(line + "\n" for line in block), f"{ind}{END}\n"]
        last = m.end()
    return "".join(out + [text[last:]])


#: The steps whose process has a generated block in its ``ext.args`` (``conf/modules.config``), in file order.
PROCESS_BLOCKS = ("qc", "graphs", "train", "cluster-eval", "coembed", "evaluate-network", "propagate", "diffnet",
                  "gsea", "report")


def generated_files(root: Path) -> dict[Path, str]:
    """``nextflow.config`` and ``conf/modules.config`` under ``root`` with their generated blocks rewritten."""
    nf, mc = root / "nextflow.config", root / "conf" / "modules.config"
    return {nf: _replace_blocks(nf.read_text(), [params_block()], nf),
            mc: _replace_blocks(mc.read_text(), [args_block(step) for step in PROCESS_BLOCKS], mc)}


def main(argv: list[str]) -> int:
    """``python -m scnetflow.params [--check] [ROOT]``: rewrite (or, with ``--check``, compare) the
    generated blocks of the pipeline under ROOT (default: the current directory)."""
    check = "--check" in argv
    root = Path(next((a for a in argv if not a.startswith("--")), "."))
    stale = []
    for path, text in generated_files(root).items():
        if path.read_text() != text:
            stale.append(path)
            if not check:
                path.write_text(text)
    verb = "out of date" if check else "rewrote"
    for path in stale:
        print(f"{verb}: {path}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
