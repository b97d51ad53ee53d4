from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="WorkerView")



@_attrs_define
class WorkerView:
    """ A live worker process.

        Attributes:
            id (str): `WORKER_ID`.
            host (str): Host name.
            version (str): Version of the worker binary.
            agents (list[str]): Agent types it claims.
            concurrency (int): Attempts it may run at once.
            running (int): Attempts it runs now (as of its last heartbeat).
            sandbox (str): How it contains agent processes: `bwrap` or `none` (its `AGENT_SANDBOX`).
            started_at (datetime.datetime): When the process started.
            last_seen_at (datetime.datetime): Its last heartbeat.
            expires_at (datetime.datetime): Dropped from this list after this unless it heartbeats again (one lease TTL
                after its last heartbeat).
     """

    id: str
    host: str
    version: str
    agents: list[str]
    concurrency: int
    running: int
    sandbox: str
    started_at: datetime.datetime
    last_seen_at: datetime.datetime
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        host = self.host

        version = self.version

        agents = self.agents



        concurrency = self.concurrency

        running = self.running

        sandbox = self.sandbox

        started_at = self.started_at.isoformat()

        last_seen_at = self.last_seen_at.isoformat()

        expires_at = self.expires_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "host": host,
            "version": version,
            "agents": agents,
            "concurrency": concurrency,
            "running": running,
            "sandbox": sandbox,
            "started_at": started_at,
            "last_seen_at": last_seen_at,
            "expires_at": expires_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        host = d.pop("host")

        version = d.pop("version")

        agents = cast(list[str], d.pop("agents"))


        concurrency = d.pop("concurrency")

        running = d.pop("running")

        sandbox = d.pop("sandbox")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))




        last_seen_at = datetime.datetime.fromisoformat(d.pop("last_seen_at"))




        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))




        worker_view = cls(
            id=id,
            host=host,
            version=version,
            agents=agents,
            concurrency=concurrency,
            running=running,
            sandbox=sandbox,
            started_at=started_at,
            last_seen_at=last_seen_at,
            expires_at=expires_at,
        )


        worker_view.additional_properties = d
        return worker_view

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
