from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ValidateBody")



@_attrs_define
class ValidateBody:
    """ Body of `POST /api/validate`: a task draft. Other task fields (and an elaborate answer's
    `generated_by`) are accepted and ignored.

        Attributes:
            title (str | Unset): Title (at most 200 characters).
            description (str | Unset): Description (at most 16 KiB).
            instructions (str | Unset): Instructions for the agent (at most 16 KiB).
            acceptance_criteria (list[str] | Unset): Acceptance criteria (at most 20 of 500 bytes).
            agent (str | Unset): Agent type.
     """

    title: str | Unset = UNSET
    description: str | Unset = UNSET
    instructions: str | Unset = UNSET
    acceptance_criteria: list[str] | Unset = UNSET
    agent: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        title = self.title

        description = self.description

        instructions = self.instructions

        acceptance_criteria: list[str] | Unset = UNSET
        if not isinstance(self.acceptance_criteria, Unset):
            acceptance_criteria = self.acceptance_criteria



        agent = self.agent


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if title is not UNSET:
            field_dict["title"] = title
        if description is not UNSET:
            field_dict["description"] = description
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if acceptance_criteria is not UNSET:
            field_dict["acceptance_criteria"] = acceptance_criteria
        if agent is not UNSET:
            field_dict["agent"] = agent

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title", UNSET)

        description = d.pop("description", UNSET)

        instructions = d.pop("instructions", UNSET)

        acceptance_criteria = cast(list[str], d.pop("acceptance_criteria", UNSET))


        agent = d.pop("agent", UNSET)

        validate_body = cls(
            title=title,
            description=description,
            instructions=instructions,
            acceptance_criteria=acceptance_criteria,
            agent=agent,
        )


        validate_body.additional_properties = d
        return validate_body

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
