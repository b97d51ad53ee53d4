from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID






T = TypeVar("T", bound="TaskProposalView")



@_attrs_define
class TaskProposalView:
    """ A task draft written by a model: what `POST /api/tasks` takes (nothing is created).

        Attributes:
            title (str): At most 60 characters.
            description (str): For humans.
            instructions (str): For the agent; ends with the acceptance criteria.
            acceptance_criteria (list[str]): Checkable statements of done.
            agent (str): Suggested agent type: `claude`, `gemini` or `local`.
            budget_usd (float): Suggested cost limit, 0.25 to 5.00 US dollars.
            timeout (str): Suggested timeout, e.g. `15m` (5 minutes to 4 hours).
            priority (str): `high`, `normal` or `low`.
            labels (list[str]): Suggested labels.
            generated_by (str): Which model wrote it: `local`, `claude` or `gemini`.
            model (str | Unset): Suggested model tier (absent for `local`: the worker's default).
            project_id (UUID | Unset): The project asked for.
     """

    title: str
    description: str
    instructions: str
    acceptance_criteria: list[str]
    agent: str
    budget_usd: float
    timeout: str
    priority: str
    labels: list[str]
    generated_by: str
    model: str | Unset = UNSET
    project_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        title = self.title

        description = self.description

        instructions = self.instructions

        acceptance_criteria = self.acceptance_criteria



        agent = self.agent

        budget_usd = self.budget_usd

        timeout = self.timeout

        priority = self.priority

        labels = self.labels



        generated_by = self.generated_by

        model = self.model

        project_id: str | Unset = UNSET
        if not isinstance(self.project_id, Unset):
            project_id = str(self.project_id)


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "title": title,
            "description": description,
            "instructions": instructions,
            "acceptance_criteria": acceptance_criteria,
            "agent": agent,
            "budget_usd": budget_usd,
            "timeout": timeout,
            "priority": priority,
            "labels": labels,
            "generated_by": generated_by,
        })
        if model is not UNSET:
            field_dict["model"] = model
        if project_id is not UNSET:
            field_dict["project_id"] = project_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        description = d.pop("description")

        instructions = d.pop("instructions")

        acceptance_criteria = cast(list[str], d.pop("acceptance_criteria"))


        agent = d.pop("agent")

        budget_usd = d.pop("budget_usd")

        timeout = d.pop("timeout")

        priority = d.pop("priority")

        labels = cast(list[str], d.pop("labels"))


        generated_by = d.pop("generated_by")

        model = d.pop("model", UNSET)

        _project_id = d.pop("project_id", UNSET)
        project_id: UUID | Unset
        if isinstance(_project_id,  Unset):
            project_id = UNSET
        else:
            project_id = UUID(_project_id)




        task_proposal_view = cls(
            title=title,
            description=description,
            instructions=instructions,
            acceptance_criteria=acceptance_criteria,
            agent=agent,
            budget_usd=budget_usd,
            timeout=timeout,
            priority=priority,
            labels=labels,
            generated_by=generated_by,
            model=model,
            project_id=project_id,
        )


        task_proposal_view.additional_properties = d
        return task_proposal_view

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
