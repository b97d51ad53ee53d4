from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="StoryTaskDraftView")



@_attrs_define
class StoryTaskDraftView:
    """ A drafted task of a story.

        Attributes:
            key (str): Key.
            title (str): Title.
            instructions (str): Instructions.
            agent (str): Agent type.
            acceptance_criteria (list[str]): Acceptance criteria.
            depends_on (list[str]): Keys of earlier tasks it needs.
            timeout (str): Timeout like `15m`.
            budget_usd (float): Budget in US dollars.
            model (str | Unset): Model.
     """

    key: str
    title: str
    instructions: str
    agent: str
    acceptance_criteria: list[str]
    depends_on: list[str]
    timeout: str
    budget_usd: float
    model: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        key = self.key

        title = self.title

        instructions = self.instructions

        agent = self.agent

        acceptance_criteria = self.acceptance_criteria



        depends_on = self.depends_on



        timeout = self.timeout

        budget_usd = self.budget_usd

        model = self.model


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "key": key,
            "title": title,
            "instructions": instructions,
            "agent": agent,
            "acceptance_criteria": acceptance_criteria,
            "depends_on": depends_on,
            "timeout": timeout,
            "budget_usd": budget_usd,
        })
        if model is not UNSET:
            field_dict["model"] = model

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        title = d.pop("title")

        instructions = d.pop("instructions")

        agent = d.pop("agent")

        acceptance_criteria = cast(list[str], d.pop("acceptance_criteria"))


        depends_on = cast(list[str], d.pop("depends_on"))


        timeout = d.pop("timeout")

        budget_usd = d.pop("budget_usd")

        model = d.pop("model", UNSET)

        story_task_draft_view = cls(
            key=key,
            title=title,
            instructions=instructions,
            agent=agent,
            acceptance_criteria=acceptance_criteria,
            depends_on=depends_on,
            timeout=timeout,
            budget_usd=budget_usd,
            model=model,
        )


        story_task_draft_view.additional_properties = d
        return story_task_draft_view

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
