from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID






T = TypeVar("T", bound="StoryTaskView")



@_attrs_define
class StoryTaskView:
    """ One task of a story.

        Attributes:
            task_id (UUID): The task.
            role (str): `work`, `checker` or `validation`.
            acceptance_criteria (list[str]): Acceptance criteria (work tasks).
            key (str | Unset): Its key (work tasks).
            checks_task_id (UUID | Unset): The task a checker checks.
            checks_attempt (int | Unset): The attempt it checks.
            verdict (str | Unset): `pass` or `fail`: a work task's last checker verdict, or a checker's own.
            checker_report (str | Unset): The checker's report.
     """

    task_id: UUID
    role: str
    acceptance_criteria: list[str]
    key: str | Unset = UNSET
    checks_task_id: UUID | Unset = UNSET
    checks_attempt: int | Unset = UNSET
    verdict: str | Unset = UNSET
    checker_report: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        task_id = str(self.task_id)

        role = self.role

        acceptance_criteria = self.acceptance_criteria



        key = self.key

        checks_task_id: str | Unset = UNSET
        if not isinstance(self.checks_task_id, Unset):
            checks_task_id = str(self.checks_task_id)

        checks_attempt = self.checks_attempt

        verdict = self.verdict

        checker_report = self.checker_report


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "task_id": task_id,
            "role": role,
            "acceptance_criteria": acceptance_criteria,
        })
        if key is not UNSET:
            field_dict["key"] = key
        if checks_task_id is not UNSET:
            field_dict["checks_task_id"] = checks_task_id
        if checks_attempt is not UNSET:
            field_dict["checks_attempt"] = checks_attempt
        if verdict is not UNSET:
            field_dict["verdict"] = verdict
        if checker_report is not UNSET:
            field_dict["checker_report"] = checker_report

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        task_id = UUID(d.pop("task_id"))




        role = d.pop("role")

        acceptance_criteria = cast(list[str], d.pop("acceptance_criteria"))


        key = d.pop("key", UNSET)

        _checks_task_id = d.pop("checks_task_id", UNSET)
        checks_task_id: UUID | Unset
        if isinstance(_checks_task_id,  Unset):
            checks_task_id = UNSET
        else:
            checks_task_id = UUID(_checks_task_id)




        checks_attempt = d.pop("checks_attempt", UNSET)

        verdict = d.pop("verdict", UNSET)

        checker_report = d.pop("checker_report", UNSET)

        story_task_view = cls(
            task_id=task_id,
            role=role,
            acceptance_criteria=acceptance_criteria,
            key=key,
            checks_task_id=checks_task_id,
            checks_attempt=checks_attempt,
            verdict=verdict,
            checker_report=checker_report,
        )


        story_task_view.additional_properties = d
        return story_task_view

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
