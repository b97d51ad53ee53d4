from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="YamlRetry")



@_attrs_define
class YamlRetry:
    """ The `retry:` block of the original task YAML.

        Attributes:
            max_attempts (int | None | Unset): Attempts before failing for good.
     """

    max_attempts: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        max_attempts: int | None | Unset
        if isinstance(self.max_attempts, Unset):
            max_attempts = UNSET
        else:
            max_attempts = self.max_attempts


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if max_attempts is not UNSET:
            field_dict["max_attempts"] = max_attempts

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_max_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_attempts = _parse_max_attempts(d.pop("max_attempts", UNSET))


        yaml_retry = cls(
            max_attempts=max_attempts,
        )

        return yaml_retry

