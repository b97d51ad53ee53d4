from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.task_state import TaskState
from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="TaskEventView")



@_attrs_define
class TaskEventView:
    """ One task transition, as streamed.

        Attributes:
            id (int): Event id (use as `Last-Event-ID` to resume).
            task_id (UUID): The task.
            to (TaskState): Task states.
            event (str): What happened.
            attempt (int): Attempt.
            actor (str): Who.
            at (datetime.datetime): When.
            project_id (UUID | Unset): The task's project.
            from_ (TaskState | Unset): Task states.
            reason (str | Unset): Why.
     """

    id: int
    task_id: UUID
    to: TaskState
    event: str
    attempt: int
    actor: str
    at: datetime.datetime
    project_id: UUID | Unset = UNSET
    from_: TaskState | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        task_id = str(self.task_id)

        to = self.to.value

        event = self.event

        attempt = self.attempt

        actor = self.actor

        at = self.at.isoformat()

        project_id: str | Unset = UNSET
        if not isinstance(self.project_id, Unset):
            project_id = str(self.project_id)

        from_: str | Unset = UNSET
        if not isinstance(self.from_, Unset):
            from_ = self.from_.value


        reason = self.reason


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "task_id": task_id,
            "to": to,
            "event": event,
            "attempt": attempt,
            "actor": actor,
            "at": at,
        })
        if project_id is not UNSET:
            field_dict["project_id"] = project_id
        if from_ is not UNSET:
            field_dict["from"] = from_
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        task_id = UUID(d.pop("task_id"))




        to = TaskState(d.pop("to"))




        event = d.pop("event")

        attempt = d.pop("attempt")

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))




        _project_id = d.pop("project_id", UNSET)
        project_id: UUID | Unset
        if isinstance(_project_id,  Unset):
            project_id = UNSET
        else:
            project_id = UUID(_project_id)




        _from_ = d.pop("from", UNSET)
        from_: TaskState | Unset
        if isinstance(_from_,  Unset):
            from_ = UNSET
        else:
            from_ = TaskState(_from_)




        reason = d.pop("reason", UNSET)

        task_event_view = cls(
            id=id,
            task_id=task_id,
            to=to,
            event=event,
            attempt=attempt,
            actor=actor,
            at=at,
            project_id=project_id,
            from_=from_,
            reason=reason,
        )


        task_event_view.additional_properties = d
        return task_event_view

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
