from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.task_state import TaskState
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="EventView")



@_attrs_define
class EventView:
    """ One transition in a task's history.

        Attributes:
            id (int): Global order.
            to (TaskState): Task states.
            event (str): What happened (`create`, `run`, `start`, `succeed`, ...).
            attempt (int): Attempt.
            actor (str): Who.
            at (datetime.datetime): When.
            from_ (TaskState | Unset): Task states.
            reason (str | Unset): Why.
     """

    id: int
    to: TaskState
    event: str
    attempt: int
    actor: str
    at: datetime.datetime
    from_: TaskState | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        to = self.to.value

        event = self.event

        attempt = self.attempt

        actor = self.actor

        at = self.at.isoformat()

        from_: str | Unset = UNSET
        if not isinstance(self.from_, Unset):
            from_ = self.from_.value


        reason = self.reason


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "to": to,
            "event": event,
            "attempt": attempt,
            "actor": actor,
            "at": at,
        })
        if from_ is not UNSET:
            field_dict["from"] = from_
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        to = TaskState(d.pop("to"))




        event = d.pop("event")

        attempt = d.pop("attempt")

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))




        _from_ = d.pop("from", UNSET)
        from_: TaskState | Unset
        if isinstance(_from_,  Unset):
            from_ = UNSET
        else:
            from_ = TaskState(_from_)




        reason = d.pop("reason", UNSET)

        event_view = cls(
            id=id,
            to=to,
            event=event,
            attempt=attempt,
            actor=actor,
            at=at,
            from_=from_,
            reason=reason,
        )


        event_view.additional_properties = d
        return event_view

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
