from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.task_state import TaskState
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.subscription_keys_body import SubscriptionKeysBody





T = TypeVar("T", bound="SubscribeBody")



@_attrs_define
class SubscribeBody:
    """ A browser's `PushSubscription.toJSON()`, plus which task states notify.

        Attributes:
            endpoint (str): Push service URL (https; http only for loopback).
            keys (SubscriptionKeysBody): `keys` of a browser subscription.
            expiration_time (int | None | Unset): When the subscription expires (ms since the epoch), as the browser reports
                it.
            notify_on (list[TaskState] | None | Unset): Task states that notify (default COMPLETED, FAILED, BLOCKED, READY).
     """

    endpoint: str
    keys: SubscriptionKeysBody
    expiration_time: int | None | Unset = UNSET
    notify_on: list[TaskState] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.subscription_keys_body import SubscriptionKeysBody # noqa: PLC0415
        endpoint = self.endpoint

        keys = self.keys.to_dict()

        expiration_time: int | None | Unset
        if isinstance(self.expiration_time, Unset):
            expiration_time = UNSET
        else:
            expiration_time = self.expiration_time

        notify_on: list[str] | None | Unset
        if isinstance(self.notify_on, Unset):
            notify_on = UNSET
        elif isinstance(self.notify_on, list):
            notify_on = []
            for notify_on_type_0_item_data in self.notify_on:
                notify_on_type_0_item = notify_on_type_0_item_data.value
                notify_on.append(notify_on_type_0_item)


        else:
            notify_on = self.notify_on


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "endpoint": endpoint,
            "keys": keys,
        })
        if expiration_time is not UNSET:
            field_dict["expirationTime"] = expiration_time
        if notify_on is not UNSET:
            field_dict["notify_on"] = notify_on

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subscription_keys_body import SubscriptionKeysBody # noqa: PLC0415
        d = dict(src_dict)
        endpoint = d.pop("endpoint")

        keys = SubscriptionKeysBody.from_dict(d.pop("keys"))




        def _parse_expiration_time(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expiration_time = _parse_expiration_time(d.pop("expirationTime", UNSET))


        def _parse_notify_on(data: object) -> list[TaskState] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                notify_on_type_0 = []
                _notify_on_type_0 = data
                for notify_on_type_0_item_data in (_notify_on_type_0):
                    notify_on_type_0_item = TaskState(notify_on_type_0_item_data)



                    notify_on_type_0.append(notify_on_type_0_item)

                return notify_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TaskState] | None | Unset, data)

        notify_on = _parse_notify_on(d.pop("notify_on", UNSET))


        subscribe_body = cls(
            endpoint=endpoint,
            keys=keys,
            expiration_time=expiration_time,
            notify_on=notify_on,
        )


        subscribe_body.additional_properties = d
        return subscribe_body

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
