"""Policy overlays: a policy file that says ``extends = "humane"`` and changes only what differs.

:func:`merge_overlay` turns an overlay document into the plain policy document it stands for
(the base's ladder with the overrides applied), plus a :class:`LayeredReader` that locates each
error in the file it came from: a value an override set is reported at its line in the overlay
(``steps.reminder-2.days``), every other value at its line in the base. The merged document is
then checked by :mod:`maatwerk.adapters.policy_loader` exactly like a policy written in full.
The format is described there and in ``docs/formats/policy-toml.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from maatwerk.adapters.toml_reader import LineIndex, Reader, did_you_mean, load_toml
from maatwerk.core.errors import InputError, PolicyError


__all__ = ["OVERLAY_KEYS", "LayeredReader", "ReadBase", "merge_overlay"]

#: The top-level keys of an overlay.
OVERLAY_KEYS: Final = frozenset(
    {"schema", "name", "version", "title", "description", "extends", "settings", "steps"}
)
#: The overlay's own top-level values (the base's title and description are not inherited).
_OWN_KEYS: Final = ("schema", "name", "version", "title", "description")

#: ``read(name_or_path, directory_of_the_overlay)`` -> (text, file name) of the base policy.
ReadBase = Callable[[str, Path], tuple[str, str]]


@attrs.frozen(kw_only=True)
class LayeredReader(Reader):
    """A :class:`Reader` over the merged document that reports each error in the overlay when
    the overlay set the value, else in the base (itself possibly layered)."""

    base: Reader
    overlay: Mapping[str, Any]
    step_ids: tuple[object, ...]

    def error(self, message: str, path: tuple[Any, ...], key: str | None = None) -> InputError:
        where = self._in_overlay(path, key)
        if where is None:
            return self.base.error(message, path, key)
        return super().error(message, *where)

    def _in_overlay(
        self, path: tuple[Any, ...], key: str | None
    ) -> tuple[tuple[Any, ...], str | None] | None:
        if path == ():
            return ((), key) if key is not None and key in self.overlay else None
        if path == ("settings",):
            settings = self.overlay.get("settings")
            if key is not None and isinstance(settings, Mapping) and key in settings:
                return (path, key)
            return None
        if len(path) >= 2 and path[0] == "step" and isinstance(path[1], int):
            steps = self.overlay.get("steps")
            if not isinstance(steps, Mapping) or path[1] >= len(self.step_ids):
                return None
            step_id = self.step_ids[path[1]]
            override = steps.get(step_id) if isinstance(step_id, str) else None
            if not isinstance(override, Mapping):
                return None
            rest = path[2:]
            if rest and rest[0] in override:
                return (("steps", step_id, *rest), key)
            if not rest and key is not None and key in override:
                return (("steps", step_id), key)
        return None


def merge_overlay(
    doc: Mapping[str, Any],
    reader: Reader,
    file: str,
    *,
    read: ReadBase,
    step_keys: frozenset[str],
    seen: tuple[str, ...] = (),
) -> tuple[dict[str, Any], Reader]:
    """The plain policy document the overlay ``doc`` (read from ``file``) stands for, and the
    reader that locates its errors. ``step_keys``: the keys a ``[[step]]`` may have."""
    if "step" in doc:
        raise reader.error(
            "a policy that extends another changes its steps in [steps.<id>] tables; it does "
            "not list [[step]]",
            (),
            "step",
        )
    reader.check_keys(doc, OVERLAY_KEYS, ())
    extends = reader.text(doc, "extends", ())
    for key in ("name", "version"):
        if key not in doc:
            raise reader.error(
                f"missing {key!r}: a policy that extends another is a policy of its own, recorded "
                "as name@version with every step it takes",
                (),
                key,
            )
    base_doc, base_reader = _base(reader, file, extends, read=read, step_keys=step_keys, seen=seen)
    base_steps = base_doc.get("step")
    if not isinstance(base_steps, list):
        raise base_reader.error("a policy needs at least one [[step]]", (), "step")
    ids = tuple(s.get("id") if isinstance(s, Mapping) else None for s in base_steps)
    overrides = _overrides(doc, reader, extends, ids, step_keys)
    settings = doc.get("settings", {})
    if not isinstance(settings, Mapping):
        raise reader.error("settings must be a table", (), "settings")
    base_settings = base_doc.get("settings", {})
    merged: dict[str, Any] = {
        k: v for k, v in base_doc.items() if k not in ("title", "description")
    }
    merged.update({k: doc[k] for k in _OWN_KEYS if k in doc})
    if settings or "settings" in base_doc:
        merged["settings"] = (
            {**base_settings, **settings} if isinstance(base_settings, Mapping) else base_settings
        )
    merged["step"] = [
        {**step, **overrides.get(str(step_id), {})} if isinstance(step, Mapping) else step
        for step, step_id in zip(base_steps, ids, strict=True)
    ]
    layered = LayeredReader(
        file=reader.file,
        lines=reader.lines,
        error_type=reader.error_type,
        base=base_reader,
        overlay=doc,
        step_ids=ids,
    )
    return merged, layered


def _base(
    reader: Reader,
    file: str,
    extends: str,
    *,
    read: ReadBase,
    step_keys: frozenset[str],
    seen: tuple[str, ...],
) -> tuple[dict[str, Any], Reader]:
    """The base policy's document (merged when it extends another in turn) and its reader."""
    try:
        raw, base_file = read(extends, Path(file).parent)
    except PolicyError as exc:
        raise reader.error(exc.message, (), "extends") from None
    own = str(Path(file).resolve())
    target = str(Path(base_file).resolve())
    if target == own or target in seen:
        raise reader.error(
            f"policies extend each other in a circle ({extends!r} leads back here)",
            (),
            "extends",
        )
    base_doc = load_toml(raw, base_file, error_type=PolicyError, parse_float=Decimal)
    base_reader = Reader(base_file, LineIndex(raw))
    if "extends" in base_doc:
        base_doc, base_reader = merge_overlay(
            base_doc, base_reader, base_file, read=read, step_keys=step_keys, seen=(*seen, own)
        )
    return base_doc, base_reader


def _overrides(
    doc: Mapping[str, Any],
    reader: Reader,
    extends: str,
    ids: tuple[object, ...],
    step_keys: frozenset[str],
) -> dict[str, Mapping[str, Any]]:
    """The ``[steps.<id>]`` tables, each naming a step of the base and only step keys."""
    raw = doc.get("steps", {})
    if not isinstance(raw, Mapping):
        raise reader.error("steps must be tables such as [steps.reminder-1]", (), "steps")
    known = [i for i in ids if isinstance(i, str)]
    overrides: dict[str, Mapping[str, Any]] = {}
    for step_id, override in raw.items():
        if step_id not in known:
            raise reader.error(
                f"no step {step_id!r} in {extends!r}{did_you_mean(step_id, known)}; its steps: "
                f"{', '.join(known)}",
                ("steps", step_id),
            )
        if not isinstance(override, Mapping):
            raise reader.error(
                f"steps.{step_id} must be a table of the step's fields to change",
                ("steps",),
                step_id,
            )
        reader.check_keys(override, step_keys - {"id"}, ("steps", step_id))
        overrides[step_id] = override
    return overrides
