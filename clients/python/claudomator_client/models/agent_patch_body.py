from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="AgentPatchBody")



@_attrs_define
class AgentPatchBody:
    """ Body of `PATCH /api/agents/{type}`.

        Attributes:
            paused (bool | None | Unset): Pause (true) or resume (false; also lifts a rate-limit pause).
            concurrency_limit (int | None | Unset): Fleet-wide limit (0 to 10000); `null` removes it.
     """

    paused: bool | None | Unset = UNSET
    concurrency_limit: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        paused: bool | None | Unset
        if isinstance(self.paused, Unset):
            paused = UNSET
        else:
            paused = self.paused

        concurrency_limit: int | None | Unset
        if isinstance(self.concurrency_limit, Unset):
            concurrency_limit = UNSET
        else:
            concurrency_limit = self.concurrency_limit


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if paused is not UNSET:
            field_dict["paused"] = paused
        if concurrency_limit is not UNSET:
            field_dict["concurrency_limit"] = concurrency_limit

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_paused(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        paused = _parse_paused(d.pop("paused", UNSET))


        def _parse_concurrency_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        concurrency_limit = _parse_concurrency_limit(d.pop("concurrency_limit", UNSET))


        agent_patch_body = cls(
            paused=paused,
            concurrency_limit=concurrency_limit,
        )

        return agent_patch_body

