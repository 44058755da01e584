"""The condition language of views and filtered search: a list of {attribute, operator,
value} rules, ANDed.

Default views are stored in it, so one engine serves every view, saved views and
`/api/filtered_search`. An attribute is a field of the kind (typed by its Field), a custom
field (typed by its definition) or a dotted attribute of linked records
(`contact_email.email`). Values may be `$me` (the asking user), `$my_territory`, or relative
dates ("30 days ago", "today", "last 7 days": kit/relative_dates.py). Text compares without
case, as Freshsales does. Every value is bound as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from opensales.db import Row
from opensales.errors import ValidationError
from opensales.kit import coerce, custom_fields
from opensales.kit.fields import BOOL, DATE, DATETIME, DECIMAL, ID, INT, MONEY, TEXT, Field
from opensales.kit.principal import Principal
from opensales.kit.relative_dates import Span, span_of

# Rules the default views of several kinds share.
OWNED_BY_ME = [{"attribute": "owner_id", "operator": "is", "value": "$me"}]
IN_MY_TERRITORY = [{"attribute": "territory_id", "operator": "is", "value": "$my_territory"}]
CREATED_LAST_30_DAYS = [{"attribute": "created_at", "operator": "is_after", "value": "30 days ago"}]

MAX_SHOWN = 100
# How values of each type compare: CHOICE is text held in one spelling (a dropdown's choice),
# compared exactly; OTHER values (multi-select, paragraph, lookup) only hold a value or not.
NUMBER, CHOICE, OTHER = "number", "choice", "other"
_EMPTY = frozenset({"is_empty", "is_not_empty"})
_EQUAL = _EMPTY | {"is", "is_not", "is_in", "is_not_in"}
_TEXT = _EQUAL | {"contains", "does_not_contain", "starts_with"}
_RANGE = _EQUAL | {"greater_than", "less_than", "between"}
_DATE = _RANGE | {"is_after", "is_before", "is_on"}
OPERATORS: dict[str, frozenset[str]] = {
    TEXT: _TEXT,
    CHOICE: _EQUAL,
    ID: _EQUAL,
    BOOL: frozenset(_EMPTY | {"is", "is_not"}),
    NUMBER: _RANGE,
    DATE: _DATE,
    DATETIME: _DATE,
    OTHER: _EMPTY,
}
_FIELD_TYPES = {INT: NUMBER, MONEY: NUMBER, DECIMAL: NUMBER}
_COMPARE = {"is": "=", "is_not": "<>", "greater_than": ">", "less_than": "<"}
# The rule that keeps a record for each rule that keeps those without a value, on linked
# records: "no email is x" is "an email, and none is x".
_NEGATED = {"is_not": "is", "is_not_in": "is_in", "does_not_contain": "contains"}


@dataclass(frozen=True, slots=True)
class Related:
    """An attribute of records linked to the filtered one (`contact_email.email`): the
    filtered table's `key` is IN `select` (the linked rows of the workspace `:ws`)."""

    key: str
    select: str
    column: str
    type: str = TEXT
    folded: bool = False  # stored lower-cased: compared as is, so that its index serves


_CONTACT_ACCOUNTS = (
    "SELECT ca.contact_id FROM contact_accounts ca JOIN sales_accounts a "
    "ON a.id = ca.sales_account_id WHERE a.workspace_id = :ws AND a.is_deleted = false"
)
_ACCOUNTS = "SELECT id FROM sales_accounts WHERE workspace_id = :ws AND is_deleted = false"


def _options(kind: str) -> str:
    return f"SELECT id FROM selector_options WHERE workspace_id = :ws AND kind = '{kind}'"


# Freshsales' dotted attributes, by the table they filter.
RELATED: dict[str, dict[str, Related]] = {
    "contacts": {
        "contact_email.email": Related(
            "id",
            "SELECT contact_id FROM contact_emails WHERE workspace_id = :ws AND is_deleted = false",
            "value",
            folded=True,
        ),
        "sales_account.name": Related("id", _CONTACT_ACCOUNTS, "a.name"),
    },
    "deals": {
        "sales_account.name": Related("sales_account_id", _ACCOUNTS, "name"),
        "deal_stage.name": Related("deal_stage_id", _options("deal_stages"), "name"),
        "deal_pipeline.name": Related("deal_pipeline_id", _options("deal_pipelines"), "name"),
    },
}


@dataclass(frozen=True, slots=True)
class _Attribute:
    """What a rule's attribute is in SQL, how its values are typed, what it may be asked."""

    name: str
    sql: str
    type: str
    typed: Callable[[Any], Any]  # a value (a date's bound of a span) as it is bound
    folded: bool = False
    related: Related | None = None

    @property
    def dated(self) -> bool:
        return self.type in (DATE, DATETIME)


def requires_value(rules: Sequence[Mapping[str, Any]], attribute: str) -> bool:
    """Whether the rules keep only records with a value for `attribute`: any rule on it but
    is_empty and `is null` does (a comparison with NULL is never true)."""
    return any(
        rule.get("attribute") == attribute
        and rule.get("operator") != "is_empty"
        and (rule.get("operator") == "is_not_empty" or rule.get("value") is not None)
        for rule in rules
    )


# --- attributes ---------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if coerce.blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a number")
    return number


def _reader(type_: str) -> Callable[[Any], Any]:
    readers: dict[str, Callable[[Any], Any]] = {
        TEXT: coerce.to_text,
        ID: coerce.to_id,
        BOOL: coerce.to_bool,
        NUMBER: _number,
        DATE: lambda bound: bound,  # a span's bound, a date already
        DATETIME: lambda bound: bound,
    }
    return readers[type_]


def _default(field: Field) -> _Attribute:
    type_ = _FIELD_TYPES.get(field.type, field.type)
    return _Attribute(field.name, field.name, type_, _reader(type_))


def _custom_type(definition: Row) -> str:
    type_ = str(definition["type"])
    if type_ in custom_fields.NUMERIC_TYPES:
        return NUMBER
    if type_ == "date":
        return DATE
    if type_ in custom_fields.DATE_TYPES:
        return DATETIME
    if type_ in ("text", "email", "url"):
        return TEXT
    if type_ == "checkbox":
        return BOOL
    return CHOICE if type_ in custom_fields.TEXT_TYPES else OTHER


def _custom(dialect: str, definition: Row) -> _Attribute:
    type_ = _custom_type(definition)

    def typed(value: Any) -> Any:
        if isinstance(value, date) and not isinstance(value, datetime):
            value = value.isoformat()
        return custom_fields.comparable(definition, value)

    return _Attribute(
        str(definition["name"]), custom_fields.typed_sql(dialect, definition), type_, typed
    )


def _related(name: str, related: Related) -> _Attribute:
    reader = _reader(related.type)
    return _Attribute(name, related.column, related.type, reader, related.folded, related)


def _attribute(
    name: Any, fields: Mapping[str, Field], table: str, dialect: str, custom: Mapping[str, Row]
) -> _Attribute:
    if isinstance(name, str):
        if name in fields:
            return _default(fields[name])
        if name in custom:
            return _custom(dialect, custom[name])
        related = RELATED.get(table, {}).get(name)
        if related is not None:
            return _related(name, related)
    raise ValidationError(f"Unknown attribute in filter: {str(name)[:MAX_SHOWN]}")


def compile_rules(
    rules: Sequence[Mapping[str, Any]],
    fields: Mapping[str, Field],
    who: Principal,
    *,
    table: str = "",
    dialect: str = "",
    custom: Mapping[str, Row] | None = None,
) -> tuple[str, dict[str, Any]]:
    """SQL AND-clauses for the rules on `table`, every value bound as a parameter (linked
    records' clauses use `:ws`, the caller's workspace). An attribute is one of `fields`,
    one of the `custom` field definitions (by name), or a dotted attribute of the table."""
    if not isinstance(rules, Sequence) or isinstance(rules, str):
        raise ValidationError("Invalid value for filter_rule: must be a list of rules")
    sql: list[str] = []
    params: dict[str, Any] = {}
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            raise ValidationError("Invalid rule in filter: must be an object")
        attribute = _attribute(rule.get("attribute"), fields, table, dialect, custom or {})
        operator = rule.get("operator")
        allowed = OPERATORS[attribute.type]
        if operator not in allowed:
            raise ValidationError(
                f"Invalid operator for {attribute.name}: {str(operator)[:MAX_SHOWN]} "
                f"(one of {', '.join(sorted(allowed))})"
            )
        clause = _Clause(attribute, f"c{index}", who, params)
        sql.append(clause.of(str(operator), rule.get("value")))
    return "".join(f" AND {clause}" for clause in sql), params


# --- clauses ------------------------------------------------------------------------------


def _resolve(value: Any, who: Principal) -> Any:
    if value == "$me":
        return who.user_id
    if value == "$my_territory":
        return who.territory_id
    return value


def _like(value: str, *, prefix: bool) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix else f"%{escaped}%"


@dataclass(slots=True)
class _Clause:
    """One rule's SQL; its values go into `params` under names starting with `name`."""

    attribute: _Attribute
    name: str
    who: Principal
    params: dict[str, Any]

    def of(self, operator: str, raw: Any) -> str:
        if self.attribute.related is not None:
            return self._linked(self.attribute.related, operator, raw)
        return self._own(operator, raw)

    def _invalid(self, problem: str) -> ValidationError:
        return ValidationError(f"Invalid value for filter on {self.attribute.name}: {problem}")

    def _bind(self, suffix: str, value: Any) -> str:
        self.params[self.name + suffix] = value
        return f":{self.name}{suffix}"

    def _typed(self, raw: Any) -> Any:
        try:
            return self.attribute.typed(_resolve(raw, self.who))
        except ValueError as exc:
            raise self._invalid(str(exc)) from None

    def _list(self, operator: str, raw: Any, size: int | None = None) -> list[Any]:
        if not isinstance(raw, list) or (size is not None and len(raw) != size):
            what = "a list" if size is None else f"a list of {size} values"
            raise ValidationError(
                f"Invalid value for {self.attribute.name} {operator}: must be {what}"
            )
        return raw

    def _column(self) -> str:
        """The column as text compares: without case, unless stored folded."""
        sql = self.attribute.sql
        return f"lower({sql})" if self.attribute.type == TEXT and not self.attribute.folded else sql

    def _value(self, suffix: str, raw: Any) -> str:
        """A bound value, folded as the column is."""
        value = self._typed(raw)
        text = self.attribute.type == TEXT
        if text and self.attribute.folded and isinstance(value, str):
            value = value.lower()
        marker = self._bind(suffix, value)
        return f"lower({marker})" if text and not self.attribute.folded else marker

    def _own(self, operator: str, raw: Any) -> str:
        column = self.attribute.sql
        if operator == "is_empty":
            return f"{column} IS NULL"
        if operator == "is_not_empty":
            return f"{column} IS NOT NULL"
        if self.attribute.dated:
            return self._dated(operator, raw)
        if operator in ("is_in", "is_not_in"):
            values = self._list(operator, raw)
            markers = [self._value(f"_{i}", v) for i, v in enumerate(values)]
            if not markers:
                return "1 = 0" if operator == "is_in" else f"{column} IS NOT NULL"
            negate = "NOT " if operator == "is_not_in" else ""
            return f"{self._column()} {negate}IN ({', '.join(markers)})"
        if operator == "between":
            low, high = self._list(operator, raw, 2)
            target = self._column()
            return (
                f"{target} >= {self._value('_lo', low)} AND {target} <= {self._value('_hi', high)}"
            )
        if operator in ("contains", "does_not_contain", "starts_with"):
            return self._text_match(operator, raw)
        return self._compare(operator, raw)

    def _compare(self, operator: str, raw: Any) -> str:
        column = self.attribute.sql
        if self._typed(raw) is None:
            # A user without a territory has no "my territory" records, not the unassigned.
            return f"{column} IS NULL" if operator == "is" and raw is None else "1 = 0"
        return f"{self._column()} {_COMPARE[operator]} {self._value('', raw)}"

    def _text_match(self, operator: str, raw: Any) -> str:
        text = self._typed(raw)
        if not text:
            raise self._invalid("must not be blank")
        pattern = self._bind("", _like(str(text).lower(), prefix=operator == "starts_with"))
        negate = "NOT " if operator == "does_not_contain" else ""
        column = f"lower({self.attribute.sql})"
        return f"{column} {negate}LIKE {pattern} ESCAPE '\\'"

    # --- dates ----------------------------------------------------------------------------

    def _span(self, raw: Any) -> Span:
        try:
            return span_of(raw, self.who.time_zone, dated=self.attribute.type == DATE)
        except ValueError as exc:
            raise self._invalid(str(exc)) from None

    def _bound(self, suffix: str, value: date | datetime) -> str:
        return self._bind(suffix, self._typed(value))

    def _dated(self, operator: str, raw: Any) -> str:
        column = self.attribute.sql
        if operator in ("is_in", "is_not_in"):
            values = self._list(operator, raw)
            spans = [self._within(self._span(v), f"_{i}") for i, v in enumerate(values)]
            found = " OR ".join(spans) or "1 = 0"
            return f"NOT ({found})" if operator == "is_not_in" else f"({found})"
        if operator == "between":
            low, high = (self._span(v) for v in self._list(operator, raw, 2))
            upper = "<=" if high.moment else "<"
            last = high.start if high.moment else high.end
            return f"{column} >= {self._bound('_lo', low.start)} AND {column} {upper} " + (
                self._bound("_hi", last)
            )
        if raw is None and operator == "is":
            return f"{column} IS NULL"
        span = self._span(raw)
        if operator in ("is_after", "greater_than"):
            return (
                f"{column} > {self._bound('', span.start)}"
                if span.moment
                else f"{column} >= {self._bound('', span.end)}"
            )
        if operator in ("is_before", "less_than"):
            return f"{column} < {self._bound('', span.start)}"
        within = self._within(span, "")
        return f"NOT ({within})" if operator == "is_not" else within

    def _within(self, span: Span, suffix: str) -> str:
        column = self.attribute.sql
        if span.moment:
            return f"{column} = {self._bound(suffix, span.start)}"
        low, high = self._bound(f"{suffix}_from", span.start), self._bound(f"{suffix}_to", span.end)
        return f"({column} >= {low} AND {column} < {high})"

    # --- linked records -------------------------------------------------------------------

    def _linked(self, related: Related, operator: str, raw: Any) -> str:
        linked = f"{related.key} IN ({related.select})"
        if operator == "is_empty":
            return f"({related.key} IS NULL OR NOT {linked})"
        if operator == "is_not_empty":
            return linked
        positive = _NEGATED.get(operator, operator)
        match = f"{related.key} IN ({related.select} AND {self._own(positive, raw)})"
        return match if positive == operator else f"{linked} AND NOT {match}"
