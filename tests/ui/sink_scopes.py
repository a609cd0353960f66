"""The scopes and bindings the sink check of tests/ui/sinks.py follows: every module of the UI
read with :mod:`ast`, what each name may be bound to, and which function of ours a call goes to."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Scope:
    node: ast.AST  # Module, FunctionDef, AsyncFunctionDef or Lambda
    parent: Scope | None
    bindings: dict[str, list[tuple[ast.expr, tuple[object, ...]]]] = field(default_factory=dict)
    params: dict[str, ast.expr | None] = field(default_factory=dict)  # name -> default
    defs: dict[str, ast.FunctionDef] = field(default_factory=dict)

    def bind(self, name: str, value: ast.expr, path: tuple[object, ...] = ()) -> None:
        self.bindings.setdefault(name, []).append((value, path))


UNKNOWN = ast.Constant(value=None)  # placeholder for "some value we cannot follow"


@dataclass(frozen=True)
class Leaf:
    """An unescaped piece: ``node`` in ``module`` (or a parameter of ``func``)."""

    module: str
    node: ast.AST
    param: tuple[str, str, tuple[object, ...]] | None = None
    """(function id, parameter name, path into the parameter's value) when the piece is a
    parameter of a function of ours: then its callers are checked."""


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    scope: Scope
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias -> (module, name)
    modules: dict[str, str] = field(default_factory=dict)  # alias -> module


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    return ".".join(rel.parts)


class Scopes:
    """The modules read, their scopes and bindings, and the calls resolved to our functions:
    ``files`` under ``root`` (the repository), the UI's own modules under ``ui``."""

    def __init__(self, files: list[Path], *, root: Path, ui: Path) -> None:
        self.root, self.ui = root, ui
        self.modules: dict[str, Module] = {}
        self.scope_of_node: dict[ast.AST, Scope] = {}
        self.module_of_scope: dict[int, Module] = {}
        self.functions: dict[str, tuple[Module, ast.FunctionDef, Scope]] = {}
        for path in files:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            scope = Scope(tree, None)
            module = Module(module_name(path, root), path, tree, scope)
            self.modules[module.name] = module
            self._collect(module, tree, scope)

    # ---- collecting scopes and bindings -------------------------------------------------------

    def _collect(self, module: Module, node: ast.AST, scope: Scope) -> None:
        self.module_of_scope[id(scope)] = module
        for child in ast.iter_child_nodes(node):
            self._visit(module, child, scope)

    def _visit(self, module: Module, node: ast.AST, scope: Scope) -> None:
        self.scope_of_node[node] = scope
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inner = Scope(node, scope)
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
            defaults += list(args.defaults)
            for arg, default in zip(positional, defaults, strict=True):
                inner.params[arg.arg] = default
            for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                inner.params[arg.arg] = kw_default
            for extra in (args.vararg, args.kwarg):
                if extra is not None:
                    inner.params[extra.arg] = None
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                scope.defs[node.name] = node  # type: ignore[assignment]
                self.functions[self.function_id(module, node)] = (module, node, inner)  # type: ignore[arg-type]
                for default in [*args.defaults, *args.kw_defaults]:
                    if default is not None:
                        self._visit(module, default, scope)
                for statement in node.body:
                    self._visit(module, statement, inner)
            else:
                self._visit(module, node.body, inner)
            self.module_of_scope[id(inner)] = module
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                name = alias.asname or alias.name
                if f"{node.module}.{alias.name}" in self.modules or self._is_ui_module(
                    f"{node.module}.{alias.name}"
                ):
                    module.modules[name] = f"{node.module}.{alias.name}"
                else:
                    module.imports[name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module.modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind_target(scope, target, node.value, ())
        elif (isinstance(node, ast.AnnAssign) and node.value is not None) or isinstance(
            node, ast.AugAssign
        ):
            assert node.value is not None
            self._bind_target(scope, node.target, node.value, ())
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            self._bind_target(scope, node.target, node.iter, ("elem",))
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    self._bind_target(scope, item.optional_vars, UNKNOWN, ())
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bind(node.name, UNKNOWN)
        elif isinstance(node, ast.NamedExpr):
            self._bind_target(scope, node.target, node.value, ())
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.args
        ):
            owner, method = node.func.value.id, node.func.attr
            if method in ("append", "add", "insert"):
                scope.bind(owner, ast.List(elts=[node.args[-1]], ctx=ast.Load()))
            elif method == "extend":
                scope.bind(owner, node.args[0])
            elif method == "setdefault" and len(node.args) == 2:
                scope.bind(owner, ast.Dict(keys=[node.args[0]], values=[node.args[1]]))
        for child in ast.iter_child_nodes(node):
            self._visit(module, child, scope)
        if isinstance(node, ast.Assign):  # names[key] = value
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    scope.bind(
                        target.value.id,
                        ast.Dict(keys=[target.slice], values=[node.value]),
                    )

    def _is_ui_module(self, dotted: str) -> bool:
        path = self.root.joinpath(*dotted.split(".")).with_suffix(".py")
        return path.exists() and (self.ui in path.parents or path.name == "streamlit_app.py")

    def _bind_target(
        self, scope: Scope, target: ast.expr, value: ast.expr, path: tuple[object, ...]
    ) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, value, path)
        elif isinstance(target, ast.Tuple | ast.List):
            for index, element in enumerate(target.elts):
                self._bind_target(scope, element, value, (*path, index))
        elif isinstance(target, ast.Starred):
            self._bind_target(scope, target.value, UNKNOWN, ())

    @staticmethod
    def function_id(module: Module, node: ast.FunctionDef) -> str:
        return f"{module.name}:{node.name}:{node.lineno}"

    # ---- resolving names and calls ------------------------------------------------------------

    def lookup(self, scope: Scope, name: str) -> tuple[Scope, str] | None:
        current: Scope | None = scope
        while current is not None:
            if name in current.params or name in current.bindings or name in current.defs:
                return current, name
            current = current.parent
        return None

    def resolve(self, scope: Scope, func: ast.expr) -> tuple[Module, ast.FunctionDef, Scope] | None:
        """The function of ``portfolio/ui`` a call goes to, when we can tell."""
        module = self.module_of_scope[id(scope)]
        if isinstance(func, ast.Name):
            found = self.lookup(scope, func.id)
            if found is not None and func.id in found[0].defs:
                node = found[0].defs[func.id]
                return self.functions[self.function_id(self.module_of_scope[id(found[0])], node)]
            if func.id in module.imports:
                source, name = module.imports[func.id]
                return self._module_function(source, name)
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            source = module.modules.get(func.value.id)
            if source is not None:
                return self._module_function(source, func.attr)
        return None

    def _module_function(
        self, module_name_: str, name: str
    ) -> tuple[Module, ast.FunctionDef, Scope] | None:
        target = self.modules.get(module_name_)
        if target is None or name not in target.scope.defs:
            return None
        return self.functions[self.function_id(target, target.scope.defs[name])]

    @staticmethod
    def callee_name(func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
        return None
