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






T = TypeVar("T", bound="CreateToken")



@_attrs_define
class CreateToken:
    """ `POST /api/tokens`.

        Attributes:
            name (str): 1 to 100 characters; shows up as the actor of what the token does.
            role (Role): What a token may do.
            projects (list[UUID] | Unset): Projects it is limited to (1 to 100); absent: every project.
            expires_at (datetime.datetime | Unset): When it stops working; absent: never.
     """

    name: str
    role: Role
    projects: list[UUID] | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        role = self.role.value

        projects: list[str] | Unset = UNSET
        if not isinstance(self.projects, Unset):
            projects = []
            for projects_item_data in self.projects:
                projects_item = str(projects_item_data)
                projects.append(projects_item)



        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "role": role,
        })
        if projects is not UNSET:
            field_dict["projects"] = projects
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        role = Role(d.pop("role"))




        _projects = d.pop("projects", UNSET)
        projects: list[UUID] | Unset = UNSET
        if _projects is not UNSET:
            projects = []
            for projects_item_data in _projects:
                projects_item = UUID(projects_item_data)



                projects.append(projects_item)


        _expires_at = d.pop("expires_at", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at,  Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)




        create_token = cls(
            name=name,
            role=role,
            projects=projects,
            expires_at=expires_at,
        )

        return create_token

