from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.task_state import TaskState
from typing import cast
from uuid import UUID






T = TypeVar("T", bound="SubscriptionView")



@_attrs_define
class SubscriptionView:
    """ A saved subscription.

        Attributes:
            id (UUID): Id (for DELETE).
            endpoint (str): Push service URL.
            notify_on (list[TaskState]): Task states that notify.
     """

    id: UUID
    endpoint: str
    notify_on: list[TaskState]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        endpoint = self.endpoint

        notify_on = []
        for notify_on_item_data in self.notify_on:
            notify_on_item = notify_on_item_data.value
            notify_on.append(notify_on_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "endpoint": endpoint,
            "notify_on": notify_on,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))




        endpoint = d.pop("endpoint")

        notify_on = []
        _notify_on = d.pop("notify_on")
        for notify_on_item_data in (_notify_on):
            notify_on_item = TaskState(notify_on_item_data)



            notify_on.append(notify_on_item)


        subscription_view = cls(
            id=id,
            endpoint=endpoint,
            notify_on=notify_on,
        )


        subscription_view.additional_properties = d
        return subscription_view

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
