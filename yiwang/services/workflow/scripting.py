"""The processes' conditions and scripts, evaluated without Python's `eval` or `exec` (ADR 0018).

A condition (on an exclusive gateway's flow, a multi-instance completion, a timer) is one expression; a script
task is a sequence of assignments `name = expression`. Expressions are evaluated by simpleeval over the task's
data: literals, arithmetic, comparisons, `and`/`or`/`not`, `in`, subscripts (`form["capital"]`), the methods of
plain values (`form.get("capital", 0)`) and a few pure functions (`len`, `int`, `float`, `str`, `min`, `max`,
`abs`, `round`, `sum`, `any`, `all`). No imports, no attribute starting with `_`, no calls to anything else, and
bounds on string size and powers: an uploaded process cannot reach the platform.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

FUNCTIONS: dict[str, Any] = {
    "len": len,
    "int": int,
    "float": float,
    "str": str,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "sum": sum,
    "any": any,
    "all": all,
}
MAX_SCRIPT_LINES = 50


class ScriptRefused(ValueError):
    """A condition or script that the restricted environment does not run (the message says why)."""


def _evaluator(names: Mapping[str, Any]) -> EvalWithCompoundTypes:
    return EvalWithCompoundTypes(names=dict(names), functions=FUNCTIONS)


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """The value of one expression over `names`."""
    try:
        return _evaluator(names).eval(expression.strip())
    except InvalidExpression as error:
        raise ScriptRefused(str(error)) from None
    except SyntaxError as error:
        raise ScriptRefused(f"syntax error: {error.msg}") from None


def assignments(script: str) -> list[tuple[str, ast.expr]]:
    """The script's statements as (name, expression), or ScriptRefused naming the first line that is not one."""
    try:
        tree = ast.parse(script or "")
    except SyntaxError as error:
        raise ScriptRefused(f"line {error.lineno}: syntax error: {error.msg}") from None
    if len(tree.body) > MAX_SCRIPT_LINES:
        raise ScriptRefused(f"at most {MAX_SCRIPT_LINES} statements")
    result: list[tuple[str, ast.expr]] = []
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and not statement.targets[0].id.startswith("_")
        ):
            result.append((statement.targets[0].id, statement.value))
            continue
        raise ScriptRefused(f"line {statement.lineno}: only assignments `name = expression` are allowed")
    return result


def check_expression(expression: str) -> None:
    """Refuse an expression that cannot be parsed or uses what the environment never allows."""
    try:
        tree = ast.parse((expression or "").strip(), mode="eval")
    except SyntaxError as error:
        raise ScriptRefused(f"syntax error: {error.msg}") from None
    _check_nodes(tree)


def check_script(script: str) -> None:
    for _name, value in assignments(script):
        _check_nodes(value)


def _check_nodes(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            raise ScriptRefused(f"{type(node).__name__} is not allowed")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ScriptRefused(f"attribute {node.attr} is not allowed")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ScriptRefused(f"name {node.id} is not allowed")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in FUNCTIONS:
            raise ScriptRefused(f"function {node.func.id} is not available")


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's script environment, with simpleeval in place of eval/exec."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        return evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        for name, value in assignments(script):
            source = ast.unparse(value)
            context[name] = evaluate(source, {**(external_context or {}), **context})
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptRefused("service tasks are not run by the platform")


def script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment())
