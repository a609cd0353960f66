"""A static check that no user text reaches a place where Streamlit renders markdown (or plotly
renders markup, or a link is made) without going through ``portfolio/ui/components/safe_text``.

The check reads every module of ``portfolio/ui`` and ``streamlit_app.py`` (with :mod:`ast`) and
looks at each *sink*: an argument that Streamlit renders as markdown (``st.markdown``, captions,
titles, alerts, toasts, spinners, help texts, metric labels and values, widget labels, tab and
expander labels, the ``format_func`` of radio buttons, segmented controls and pills), a text of a
plotly figure (hover data, texts, labels, names, axis titles, annotations, category values), or
the URL of a ``st.link_button``. The expression given there must be *safe*:

- a literal, or a number formatted with a numeric format spec (``f"{x:.0f}"``);
- ``md(...)`` (markdown sinks), ``chart_text(...)`` (plotly sinks), ``safe_url(...)`` (URLs);
- a formatter of numbers, dates and codes (``fmt_int``, ``fmt_eur``, ``fmt_date``, ``label`` of
  a vocabulary code, ``field_label`` …) or a catalogue text (``t``/``tx``/``tr``: the templates
  are ours) whose keyword parameters are safe themselves;
- an f-string, ``+``, ``" · ".join(...)``, a conditional, a list, a dict lookup … made of safe
  parts; a local variable all of whose assignments (also ``.append``) are safe; a call of a
  function of ``portfolio/ui`` whose return values are safe;
- a parameter of the enclosing function: then that function is a sink itself, and every call of
  it is checked the same way (``page_header(title)`` → ``st.title(title)``).

Everything else (an attribute of a row, a lambda's parameter, ``str(x)``, a value of an unknown
function) counts as user text. :data:`ALLOWED` lists documented exceptions (none today).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.ui.sink_calls import (
    ALL,
    ALLOWED,
    CATALOGUE,
    ESCAPERS,
    FORMATTERS,
    MARKDOWN,
    MARKDOWN_CALLS,
    NOT_STREAMLIT,
    NUMERIC_SPEC,
    OPTION_CALLS,
    PLAIN_OPTION_CALLS,
    PLOT,
    PLOT_CALLS,
    PLOT_KEYWORDS,
    STR_METHODS,
    URL,
)
from tests.ui.sink_scopes import UNKNOWN, Leaf, Module, Scope, Scopes

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "portfolio" / "ui"


def ui_files() -> list[Path]:
    return [*sorted(UI.rglob("*.py")), ROOT / "streamlit_app.py"]


class Checker(Scopes):
    """Every sink of the UI, and the leaves of the expression given there that are not safe."""

    def __init__(self, files: list[Path]) -> None:
        super().__init__(files, root=ROOT, ui=UI)
        self.violations: list[str] = []
        self._returns: dict[tuple[str, str], list[Leaf]] = {}
        self._active: set[tuple[str, str]] = set()
        self._sinks_done: set[tuple[str, str, tuple[object, ...], str]] = set()

    # ---- what an expression may contain -------------------------------------------------------

    # Long on purpose: one case per kind of expression the checker follows; splitting it would
    # hide which kinds it knows.
    def leaves(
        self, scope: Scope, node: ast.AST, kind: str, path: tuple[object, ...] = (), depth: int = 0
    ) -> list[Leaf]:
        """The unsafe pieces ``node`` (followed along ``path``) may consist of."""
        module = self.module_of_scope[id(scope)]
        here = self.scope_of_node.get(node, scope) if node is not UNKNOWN else scope
        if depth > 60:
            return [Leaf(module.name, node)]
        if node is UNKNOWN:
            return [Leaf(module.name, node)]
        step = lambda child, p=(): self.leaves(here, child, kind, p, depth + 1)  # noqa: E731
        if path:
            head, rest = path[0], path[1:]
            if isinstance(node, ast.Constant):
                return []  # a part of a literal (or of None)
            if isinstance(node, ast.Name):
                return self._name(here, node, kind, path, depth)
            if isinstance(node, ast.IfExp):
                return step(node.body, path) + step(node.orelse, path)
            if isinstance(node, ast.BoolOp):
                return [leaf for value in node.values for leaf in step(value, path)]
            if isinstance(head, int):
                if isinstance(node, ast.Tuple | ast.List) and head < len(node.elts):
                    return step(node.elts[head], rest)
                if isinstance(node, ast.Call) and self.callee_name(node.func) == "zip":
                    return []  # handled with "elem" below
                return [Leaf(module.name, node)]
            if head in ("elem", "item"):
                if isinstance(node, ast.Tuple | ast.List | ast.Set):
                    return [leaf for e in node.elts for leaf in step(e, rest)]
                if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
                    return step(node.elt, rest)
                if isinstance(node, ast.Dict):
                    values = node.values if head == "item" else node.keys
                    return [leaf for v in values if v is not None for leaf in step(v, rest)]
                if isinstance(node, ast.DictComp):
                    return step(node.value if head == "item" else node.key, rest)
                if isinstance(node, ast.BinOp):
                    return step(node.left, path) + (
                        step(node.right, path) if isinstance(node.op, ast.Add) else []
                    )
                if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
                    return step(node.value, path)
                if isinstance(node, ast.Subscript):
                    return step(node.value, ("item", *path))
                if isinstance(node, ast.Call):
                    name = self.callee_name(node.func)
                    if name == "zip" and head == "elem":
                        if rest and isinstance(rest[0], int) and rest[0] < len(node.args):
                            return step(node.args[rest[0]], ("elem", *rest[1:]))
                        return [leaf for a in node.args for leaf in step(a, ("elem",))]
                    if name == "enumerate" and head == "elem" and node.args:
                        if rest and rest[0] == 0:
                            return []
                        if rest and rest[0] == 1:
                            return step(node.args[0], ("elem", *rest[1:]))
                        return step(node.args[0], ("elem",))
                    if name in ("sorted", "reversed", "list", "tuple", "set") and node.args:
                        return step(node.args[0], path)
                    if isinstance(node.func, ast.Attribute) and name in ("items",):
                        owner = node.func.value
                        if rest and rest[0] == 0:
                            return step(owner, ("elem", *rest[1:]))
                        if rest and rest[0] == 1:
                            return step(owner, ("item", *rest[1:]))
                        return step(owner, ("elem",)) + step(owner, ("item",))
                    if isinstance(node.func, ast.Attribute) and name in ("keys", "values"):
                        return step(node.func.value, ("elem" if name == "keys" else "item", *rest))
                    if isinstance(node.func, ast.Attribute) and name == "split":
                        return step(node.func.value, rest)
                    if name == "range":
                        return []
                return [Leaf(module.name, node)]
            return [Leaf(module.name, node)]
        # the value itself, used as text
        if isinstance(node, ast.Constant):
            return []
        if isinstance(node, ast.JoinedStr):
            out: list[Leaf] = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    out += self._formatted(here, value, kind, depth)
            return out
        if isinstance(node, ast.FormattedValue):
            return self._formatted(here, node, kind, depth)
        if isinstance(node, ast.Name):
            return self._name(here, node, kind, (), depth)
        if isinstance(node, ast.IfExp):
            return step(node.body) + step(node.orelse)
        if isinstance(node, ast.BoolOp):
            return [leaf for value in node.values for leaf in step(value)]
        if isinstance(node, ast.BinOp):
            return step(node.left) + step(node.right)
        if isinstance(node, ast.UnaryOp | ast.Compare):
            return []
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [leaf for e in node.elts for leaf in step(e)]
        if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            return step(node.elt)
        if isinstance(node, ast.Dict):
            return [leaf for v in node.values if v is not None for leaf in step(v)]
        if isinstance(node, ast.DictComp):
            return step(node.value)
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                return step(node.value)
            return step(node.value, ("item",))
        if isinstance(node, ast.Call):
            return self._call(here, node, kind, depth)
        if isinstance(node, ast.Lambda):
            return step(node.body)
        return [Leaf(module.name, node)]

    def _formatted(
        self, scope: Scope, value: ast.FormattedValue, kind: str, depth: int
    ) -> list[Leaf]:
        spec = value.format_spec
        if (
            isinstance(spec, ast.JoinedStr)
            and len(spec.values) == 1
            and isinstance(spec.values[0], ast.Constant)
            and NUMERIC_SPEC.match(str(spec.values[0].value))
        ):
            return []  # a number: a numeric format spec refuses anything else
        return self.leaves(scope, value.value, kind, (), depth + 1)

    def _name(
        self, scope: Scope, node: ast.Name, kind: str, path: tuple[object, ...], depth: int
    ) -> list[Leaf]:
        module = self.module_of_scope[id(scope)]
        found = self.lookup(scope, node.id)
        if found is None:
            if node.id in module.imports or node.id in module.modules:
                return []  # a constant or function of another module: no user data
            if node.id in ("True", "False", "None"):
                return []
            return [Leaf(module.name, node)]
        owner, name = found
        if name in owner.defs and name not in owner.bindings:
            return []  # a function used as a value
        out: list[Leaf] = []
        if name in owner.params and isinstance(owner.node, ast.FunctionDef | ast.AsyncFunctionDef):
            fid = self.function_id(self.module_of_scope[id(owner)], owner.node)  # type: ignore[arg-type]
            out.append(Leaf(module.name, node, (fid, name, path)))
        elif name in owner.params:
            out.append(Leaf(module.name, node))  # a lambda's parameter: an option, user data
        for value, bound_path in owner.bindings.get(name, []):
            out += self.leaves(owner, value, kind, (*bound_path, *path), depth + 1)
        return out

    def _call(self, scope: Scope, node: ast.Call, kind: str, depth: int) -> list[Leaf]:
        module = self.module_of_scope[id(scope)]
        step = lambda child, p=(): self.leaves(scope, child, kind, p, depth + 1)  # noqa: E731
        name = self.function_name(scope, node.func)
        if name is None and isinstance(node.func, ast.Attribute):
            return self._method(scope, node, kind, depth)
        if name in ESCAPERS[kind]:
            return []
        if any(name in names for names in ESCAPERS.values()):
            return [Leaf(module.name, node)]  # the escaper of another kind of sink
        if name in FORMATTERS:
            return []
        if name in CATALOGUE:
            out: list[Leaf] = []
            for keyword in node.keywords:
                out += step(keyword.value) if keyword.arg else [Leaf(module.name, keyword.value)]
            return out
        if name == "option_labels" and node.args:
            return step(node.args[0], ("item",))
        target = self.resolve(scope, node.func)
        if target is not None:
            return self._returned(scope, node, target, kind, depth)
        return [Leaf(module.name, node)]

    def function_name(self, scope: Scope, func: ast.expr) -> str | None:
        """The name of a called *function* (``fmt_int``, ``charts.show``), not of a method."""
        if isinstance(func, ast.Name):
            return func.id
        module = self.module_of_scope[id(scope)]
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and self.lookup(scope, func.value.id) is None
            and (func.value.id in module.modules or func.value.id in module.imports)
        ):
            return func.attr
        return None

    def _method(self, scope: Scope, node: ast.Call, kind: str, depth: int) -> list[Leaf]:
        """A method call on a value: string methods of safe text stay safe, nothing else."""
        module = self.module_of_scope[id(scope)]
        step = lambda child, p=(): self.leaves(scope, child, kind, p, depth + 1)  # noqa: E731
        assert isinstance(node.func, ast.Attribute)
        name = node.func.attr
        owner = node.func.value
        if name == "join":
            return step(owner) + [leaf for a in node.args for leaf in step(a, ("elem",))]
        if name == "get" and node.args:
            default = step(node.args[1]) if len(node.args) > 1 else []
            return step(owner, ("item",)) + default
        if name == "format":
            return (
                step(owner)
                + [leaf for a in node.args for leaf in step(a)]
                + [leaf for k in node.keywords for leaf in step(k.value)]
            )
        if name in STR_METHODS and not node.args:
            return step(owner)
        if name == "isoformat":
            return []
        return [Leaf(module.name, node)]

    def _returned(
        self,
        scope: Scope,
        call: ast.Call,
        target: tuple[Module, ast.FunctionDef, Scope],
        kind: str,
        depth: int,
    ) -> list[Leaf]:
        """What a call of a UI function returns: its returns, with parameters filled in."""
        module, func, inner = target
        fid = self.function_id(module, func)
        key = (fid, kind)
        if key in self._active:
            return [Leaf(self.module_of_scope[id(scope)].name, call)]
        if key not in self._returns:
            self._active.add(key)
            found: list[Leaf] = []
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.Return)
                    and node.value is not None
                    and self._owner_function(node) is func
                ):
                    found += self.leaves(inner, node.value, kind, (), depth + 1)
            self._active.discard(key)
            self._returns[key] = found
        out: list[Leaf] = []
        for leaf in self._returns[key]:
            if leaf.param is not None and leaf.param[0] == fid:
                argument = self.argument(call, func, leaf.param[1])
                if argument is not None:
                    out += self.leaves(scope, argument, kind, leaf.param[2], depth + 1)
            else:
                out.append(Leaf(self.module_of_scope[id(scope)].name, call))
        return out

    def _owner_function(self, node: ast.AST) -> ast.AST | None:
        scope = self.scope_of_node.get(node)
        while scope is not None and isinstance(scope.node, ast.Lambda):
            scope = scope.parent
        return scope.node if scope is not None else None

    @staticmethod
    def argument(call: ast.Call, func: ast.FunctionDef, param: str) -> ast.expr | None:
        """The expression a call passes for ``param`` (its default when it passes none)."""
        for keyword in call.keywords:
            if keyword.arg == param:
                return keyword.value
        positional = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
        if param in positional:
            index = positional.index(param)
            if index < len(call.args) and not any(
                isinstance(a, ast.Starred) for a in call.args[: index + 1]
            ):
                return call.args[index]
        if any(keyword.arg is None for keyword in call.keywords) or any(
            isinstance(a, ast.Starred) for a in call.args
        ):
            return UNKNOWN
        defaults = dict(
            zip(
                positional[len(positional) - len(func.args.defaults) :],
                func.args.defaults,
                strict=True,
            )
        )
        defaults.update(
            {
                a.arg: d
                for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults, strict=True)
                if d is not None
            }
        )
        return defaults.get(param)

    # ---- the sinks ----------------------------------------------------------------------------

    def sinks(self) -> Iterator[tuple[Scope, ast.Call, ast.expr, str, str]]:
        """(scope, call, argument, kind, what) of every sink argument in the UI."""
        for node, scope in list(self.scope_of_node.items()):
            if not isinstance(node, ast.Call):
                continue
            name = self.callee_name(node.func)
            if name is None:
                continue
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if isinstance(receiver, ast.Name) and receiver.id in NOT_STREAMLIT:
                continue
            if name in MARKDOWN_CALLS and (receiver is not None or name == "Page"):
                positions, keywords = MARKDOWN_CALLS[name]
                for index, argument in enumerate(node.args):
                    if ALL in positions or index in positions:
                        yield scope, node, argument, MARKDOWN, f"{name}() argument {index + 1}"
                for keyword in node.keywords:
                    if keyword.arg in keywords:
                        yield scope, node, keyword.value, MARKDOWN, f"{name}({keyword.arg}=)"
                if name in OPTION_CALLS:
                    yield from self._option_sinks(scope, node, name)
            if receiver is not None or isinstance(node.func, ast.Name):
                for keyword in node.keywords:
                    if keyword.arg == "help":
                        yield scope, node, keyword.value, MARKDOWN, f"{name}(help=)"
            if name in PLOT_CALLS:
                for keyword in node.keywords:
                    if keyword.arg in PLOT_KEYWORDS:
                        yield scope, node, keyword.value, PLOT, f"{name}({keyword.arg}=)"
            if name == "link_button":
                url = node.args[1] if len(node.args) > 1 else None
                for keyword in node.keywords:
                    if keyword.arg == "url":
                        url = keyword.value
                if url is not None:
                    yield scope, node, url, URL, "link_button(url=)"

    def _option_sinks(
        self, scope: Scope, node: ast.Call, name: str
    ) -> Iterator[tuple[Scope, ast.Call, ast.expr, str, str]]:
        format_func = next((k.value for k in node.keywords if k.arg == "format_func"), None)
        if format_func is None:
            options = node.args[1] if len(node.args) > 1 else None
            options = next((k.value for k in node.keywords if k.arg == "options"), options)
            if options is not None:
                yield scope, node, options, MARKDOWN, f"{name}(options=)"
            return
        yield scope, node, format_func, MARKDOWN, f"{name}(format_func=)"

    def run(self) -> list[str]:
        pending: list[tuple[str, str, tuple[object, ...], str]] = []
        for scope, call, argument, kind, what in self.sinks():
            path = kind == MARKDOWN and what.endswith("(options=)")
            leaves = self.leaves(scope, argument, kind, ("elem",) if path else ())
            self._report(scope, call, argument, kind, what, leaves, pending)
        while pending:
            fid, param, path, kind = pending.pop()
            if (fid, param, path, kind) in self._sinks_done:
                continue
            self._sinks_done.add((fid, param, path, kind))
            for scope, call, func in self._calls_of(fid):
                argument = self.argument(call, func, param)
                if argument is None:
                    continue
                leaves = self.leaves(scope, argument, kind, path)
                what = f"{func.name}({param}=), which reaches a {kind} sink"
                self._report(scope, call, argument, kind, what, leaves, pending)
        return sorted(set(self.violations))

    def _report(
        self,
        scope: Scope,
        call: ast.Call,
        argument: ast.expr,
        kind: str,
        what: str,
        leaves: list[Leaf],
        pending: list[tuple[str, str, tuple[object, ...], str]],
    ) -> None:
        module = self.module_of_scope[id(scope)]
        for leaf in leaves:
            if leaf.param is not None:
                pending.append((leaf.param[0], leaf.param[1], leaf.param[2], kind))
                continue
            where = f"{module.path.relative_to(ROOT)}:{call.lineno}"
            if where in ALLOWED:
                continue
            shown = ast.unparse(leaf.node) if leaf.node is not UNKNOWN else "<unknown value>"
            escaper = {MARKDOWN: "md()", PLOT: "chart_text()", URL: "safe_url()"}[kind]
            self.violations.append(f"{where}: {what}: `{shown}` is not passed through {escaper}")

    def _calls_of(self, fid: str) -> Iterator[tuple[Scope, ast.Call, ast.FunctionDef]]:
        _module, func, _inner = self.functions[fid]
        for node, scope in self.scope_of_node.items():
            if isinstance(node, ast.Call):
                target = self.resolve(scope, node.func)
                if target is not None and self.function_id(target[0], target[1]) == fid:
                    yield scope, node, func


def violations(files: list[Path] | None = None) -> list[str]:
    return Checker(files or ui_files()).run()


def escaped_plain_options(files: list[Path] | None = None) -> list[str]:
    """Places where md() went into text that Streamlit shows as plain text (it would show the
    backslashes): selectbox / multiselect options, dataframe cells."""
    found = []
    for path in files or ui_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = Checker.callee_name(node.func)
            parts: list[ast.AST] = []
            if name in PLAIN_OPTION_CALLS:
                parts = [k.value for k in node.keywords if k.arg in ("format_func", "options")]
                parts += node.args[1:2]
            elif name in ("frame", "DataFrame", "dataframe", "table", "data_editor", "text"):
                parts = [*node.args, *(k.value for k in node.keywords)]
            for part in parts:
                for inner in ast.walk(part):
                    if isinstance(inner, ast.Call) and Checker.callee_name(inner.func) in (
                        "md",
                        "chart_text",
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found
