from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="StoryHistoryView")



@_attrs_define
class StoryHistoryView:
    """ One line of a story's history.

        Attributes:
            at (datetime.datetime): When.
            kind (str): `story` (the story's own transition or a checker verdict) or `task`.
            to (str): State after.
            event (str): Event.
            actor (str): Who.
            task_id (UUID | Unset): The task it is about.
            from_ (str | Unset): State before.
            reason (str | Unset): Why.
     """

    at: datetime.datetime
    kind: str
    to: str
    event: str
    actor: str
    task_id: UUID | Unset = UNSET
    from_: str | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        kind = self.kind

        to = self.to

        event = self.event

        actor = self.actor

        task_id: str | Unset = UNSET
        if not isinstance(self.task_id, Unset):
            task_id = str(self.task_id)

        from_ = self.from_

        reason = self.reason


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "at": at,
            "kind": kind,
            "to": to,
            "event": event,
            "actor": actor,
        })
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if from_ is not UNSET:
            field_dict["from"] = from_
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))




        kind = d.pop("kind")

        to = d.pop("to")

        event = d.pop("event")

        actor = d.pop("actor")

        _task_id = d.pop("task_id", UNSET)
        task_id: UUID | Unset
        if isinstance(_task_id,  Unset):
            task_id = UNSET
        else:
            task_id = UUID(_task_id)




        from_ = d.pop("from", UNSET)

        reason = d.pop("reason", UNSET)

        story_history_view = cls(
            at=at,
            kind=kind,
            to=to,
            event=event,
            actor=actor,
            task_id=task_id,
            from_=from_,
            reason=reason,
        )


        story_history_view.additional_properties = d
        return story_history_view

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
