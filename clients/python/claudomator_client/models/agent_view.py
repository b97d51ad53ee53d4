from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="AgentView")



@_attrs_define
class AgentView:
    """ One agent type: queue statistics and settings.

        Attributes:
            agent (str): Agent type.
            queued (int): QUEUED and due.
            delayed (int): QUEUED with a future start (scheduled or backing off).
            running (int): RUNNING.
            dead (int): FAILED as dead letters (attempts ran out on lost leases).
            paused (bool): Paused by an operator.
            live_workers (int): Live workers serving this agent type (0: its tasks wait until one starts).
            free_capacity (int): Attempts the live workers could start now: their free permits (shared by every agent
                type a worker serves), capped by the fleet-wide limit less RUNNING.
            oldest_waiting_secs (float | Unset): Age of the oldest due QUEUED task, in seconds.
            paused_until (datetime.datetime | Unset): Paused by a rate limit until then.
            pause_reason (str | Unset): Why it is paused.
            concurrency_limit (int | Unset): Fleet-wide limit of attempts at once (absent: none).
     """

    agent: str
    queued: int
    delayed: int
    running: int
    dead: int
    paused: bool
    live_workers: int
    free_capacity: int
    oldest_waiting_secs: float | Unset = UNSET
    paused_until: datetime.datetime | Unset = UNSET
    pause_reason: str | Unset = UNSET
    concurrency_limit: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        agent = self.agent

        queued = self.queued

        delayed = self.delayed

        running = self.running

        dead = self.dead

        paused = self.paused

        live_workers = self.live_workers

        free_capacity = self.free_capacity

        oldest_waiting_secs = self.oldest_waiting_secs

        paused_until: str | Unset = UNSET
        if not isinstance(self.paused_until, Unset):
            paused_until = self.paused_until.isoformat()

        pause_reason = self.pause_reason

        concurrency_limit = self.concurrency_limit


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent": agent,
            "queued": queued,
            "delayed": delayed,
            "running": running,
            "dead": dead,
            "paused": paused,
            "live_workers": live_workers,
            "free_capacity": free_capacity,
        })
        if oldest_waiting_secs is not UNSET:
            field_dict["oldest_waiting_secs"] = oldest_waiting_secs
        if paused_until is not UNSET:
            field_dict["paused_until"] = paused_until
        if pause_reason is not UNSET:
            field_dict["pause_reason"] = pause_reason
        if concurrency_limit is not UNSET:
            field_dict["concurrency_limit"] = concurrency_limit

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent = d.pop("agent")

        queued = d.pop("queued")

        delayed = d.pop("delayed")

        running = d.pop("running")

        dead = d.pop("dead")

        paused = d.pop("paused")

        live_workers = d.pop("live_workers")

        free_capacity = d.pop("free_capacity")

        oldest_waiting_secs = d.pop("oldest_waiting_secs", UNSET)

        _paused_until = d.pop("paused_until", UNSET)
        paused_until: datetime.datetime | Unset
        if isinstance(_paused_until,  Unset):
            paused_until = UNSET
        else:
            paused_until = datetime.datetime.fromisoformat(_paused_until)




        pause_reason = d.pop("pause_reason", UNSET)

        concurrency_limit = d.pop("concurrency_limit", UNSET)

        agent_view = cls(
            agent=agent,
            queued=queued,
            delayed=delayed,
            running=running,
            dead=dead,
            paused=paused,
            live_workers=live_workers,
            free_capacity=free_capacity,
            oldest_waiting_secs=oldest_waiting_secs,
            paused_until=paused_until,
            pause_reason=pause_reason,
            concurrency_limit=concurrency_limit,
        )


        agent_view.additional_properties = d
        return agent_view

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
