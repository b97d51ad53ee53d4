from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from uuid import UUID






T = TypeVar("T", bound="ElaborateStoryBody")



@_attrs_define
class ElaborateStoryBody:
    """ Body of `POST /api/stories/elaborate`.

        Attributes:
            request (str): What the story should deliver, in a line or a paragraph.
            project_id (UUID | Unset): The project it is for (its name, repository and branch go into the prompt).
     """

    request: str
    project_id: UUID | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        request = self.request

        project_id: str | Unset = UNSET
        if not isinstance(self.project_id, Unset):
            project_id = str(self.project_id)


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "request": request,
        })
        if project_id is not UNSET:
            field_dict["project_id"] = project_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        request = d.pop("request")

        _project_id = d.pop("project_id", UNSET)
        project_id: UUID | Unset
        if isinstance(_project_id,  Unset):
            project_id = UNSET
        else:
            project_id = UUID(_project_id)




        elaborate_story_body = cls(
            request=request,
            project_id=project_id,
        )

        return elaborate_story_body

