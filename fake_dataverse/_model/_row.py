"""A row's column values, stored compactly: one tuple per row, indexed by the table's layout.

Every row of a table holds its values in the order of one shared :class:`RowLayout` (the stored
columns in metadata order, then the virtual ones), so a row costs a tuple instead of a
dictionary. :class:`RowValues` reads as a read-only mapping of the columns the row holds (a
column never written is absent, as it was from the dictionary); the query engine reads the
tuple directly through :meth:`RowLayout.getter`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

__all__ = ["MISSING", "RowLayout", "RowValues"]


class _Missing:
    """The value of a column a row does not hold (distinct from a null, which is None)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # copies and pickles stay the one sentinel

    def __deepcopy__(self, memo: dict[int, Any]) -> _Missing:
        return self


MISSING: Any = _Missing()


class RowLayout:
    """The column order of a table's rows: a name's position in every row's tuple.

    Every row's tuple holds at least the first ``fixed`` columns (the stored ones), so a reader
    of a stored column indexes the tuple directly; the virtual columns after them are held only
    by a row that was given one.
    """

    __slots__ = ("_absent", "_all", "_stored", "_stored_set", "fixed", "index", "names")

    def __init__(self, names: Iterable[str], fixed: int | None = None) -> None:
        self.names = tuple(names)
        self.index = {name: number for number, name in enumerate(self.names)}
        self.fixed = len(self.names) if fixed is None else fixed
        self._absent = (MISSING,) * len(self.names)
        self._stored = self.names[: self.fixed]
        self._all = frozenset(self.names)
        self._stored_set = frozenset(self._stored)

    def __deepcopy__(self, memo: dict[int, Any]) -> RowLayout:
        return self  # shared by every row of the table; immutable

    def pack(self, values: Mapping[str, Any]) -> RowValues:
        """Return the compact form of a row's values.

        Raises:
            KeyError: a name is not a column of the table (a bug in the caller).
        """
        # Names are compared (as one tuple, or as sets), never values: a value's own ``__eq__``
        # (a GUID's) is a Python-level call.
        if len(values) == self.fixed and tuple(values) == self._stored:  # already in order
            return RowValues(self, tuple(values.values()))
        if values.keys() <= self._stored_set:  # most rows hold no virtual column
            return RowValues(self, tuple(map(values.get, self._stored, self._absent)))
        if not values.keys() <= self._all:
            unknown = sorted(set(values) - self._all)
            raise KeyError(f"not columns of this table: {', '.join(unknown)}")
        data = tuple(map(values.get, self.names, self._absent))
        fixed = self.fixed
        if len(data) > fixed and data[-1] is MISSING:  # trailing virtual columns
            end = len(data)
            while end > fixed and data[end - 1] is MISSING:
                end -= 1
            data = data[:end]
        return RowValues(self, data)

    def getter(self, name: str) -> Callable[[tuple[Any, ...]], Any]:
        """Return a function reading one column from a row's tuple (None when absent)."""
        number = self.index.get(name)
        if number is None:
            return _absent
        if number < self.fixed:

            def get_stored(data: tuple[Any, ...]) -> Any:
                value = data[number]
                return None if value is MISSING else value

            return get_stored

        def get(data: tuple[Any, ...]) -> Any:
            try:
                value = data[number]
            except IndexError:
                return None
            return None if value is MISSING else value

        return get


def _absent(data: tuple[Any, ...]) -> Any:
    return None


class RowValues(Mapping[str, Any]):
    """A stored row's values: a read-only mapping over the row's tuple."""

    __slots__ = ("data", "layout")

    def __init__(self, layout: RowLayout, data: tuple[Any, ...]) -> None:
        self.layout = layout
        self.data = data

    def __getitem__(self, name: str) -> Any:
        number = self.layout.index.get(name)
        if number is not None and number < len(self.data):
            value = self.data[number]
            if value is not MISSING:
                return value
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        """Return a column's value, or ``default`` when the row does not hold the column."""
        number = self.layout.index.get(name)
        if number is None or number >= len(self.data):
            return default
        value = self.data[number]
        return default if value is MISSING else value

    def __contains__(self, name: object) -> bool:
        return self.get(name, MISSING) is not MISSING  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        names = zip(self.layout.names, self.data, strict=False)  # the tuple may end early
        return (n for n, v in names if v is not MISSING)

    def __len__(self) -> int:
        return len(self.data) - self.data.count(MISSING)

    def to_dict(self) -> dict[str, Any]:
        """Return the values as a new dictionary."""
        names = zip(self.layout.names, self.data, strict=False)
        return {n: v for n, v in names if v is not MISSING}

    def with_value(self, name: str, value: Any) -> RowValues:
        """Return these values with one column set."""
        number = self.layout.index[name]
        data = self.data
        if number >= len(data):
            data = data + (MISSING,) * (number + 1 - len(data))
        changed = list(data)
        changed[number] = value
        return RowValues(self.layout, tuple(changed))

    def __repr__(self) -> str:
        return f"RowValues({self.to_dict()!r})"
