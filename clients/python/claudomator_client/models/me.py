from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.role import Role
from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="Me")



@_attrs_define
class Me:
    """ `GET /api/me`: the calling token.

        Attributes:
            token_id (UUID): Token id.
            name (str): Token name.
            role (Role): What a token may do.
            can_write (bool): May create and act on tasks and stories.
            can_exec (bool): May create exec tasks.
            can_admin (bool): May manage tokens, projects and agent settings.
            projects (list[UUID] | Unset): Projects it is limited to; absent: every project.
            task_id (UUID | Unset): Set for an agent's task-scoped token: the task it may act on.
            expires_at (datetime.datetime | Unset): When it stops working.
     """

    token_id: UUID
    name: str
    role: Role
    can_write: bool
    can_exec: bool
    can_admin: bool
    projects: list[UUID] | Unset = UNSET
    task_id: UUID | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        token_id = str(self.token_id)

        name = self.name

        role = self.role.value

        can_write = self.can_write

        can_exec = self.can_exec

        can_admin = self.can_admin

        projects: list[str] | Unset = UNSET
        if not isinstance(self.projects, Unset):
            projects = []
            for projects_item_data in self.projects:
                projects_item = str(projects_item_data)
                projects.append(projects_item)



        task_id: str | Unset = UNSET
        if not isinstance(self.task_id, Unset):
            task_id = str(self.task_id)

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "token_id": token_id,
            "name": name,
            "role": role,
            "can_write": can_write,
            "can_exec": can_exec,
            "can_admin": can_admin,
        })
        if projects is not UNSET:
            field_dict["projects"] = projects
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token_id = UUID(d.pop("token_id"))




        name = d.pop("name")

        role = Role(d.pop("role"))




        can_write = d.pop("can_write")

        can_exec = d.pop("can_exec")

        can_admin = d.pop("can_admin")

        _projects = d.pop("projects", UNSET)
        projects: list[UUID] | Unset = UNSET
        if _projects is not UNSET:
            projects = []
            for projects_item_data in _projects:
                projects_item = UUID(projects_item_data)



                projects.append(projects_item)


        _task_id = d.pop("task_id", UNSET)
        task_id: UUID | Unset
        if isinstance(_task_id,  Unset):
            task_id = UNSET
        else:
            task_id = UUID(_task_id)




        _expires_at = d.pop("expires_at", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at,  Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)




        me = cls(
            token_id=token_id,
            name=name,
            role=role,
            can_write=can_write,
            can_exec=can_exec,
            can_admin=can_admin,
            projects=projects,
            task_id=task_id,
            expires_at=expires_at,
        )


        me.additional_properties = d
        return me

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
