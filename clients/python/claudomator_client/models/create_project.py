from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CreateProject")



@_attrs_define
class CreateProject:
    """ A project to create.

        Attributes:
            name (str): Unique name.
            repository (str | Unset): Clone URL or path.
            default_branch (str | Unset): Default `main`.
            github_repo (str | Unset): GitHub `owner/name`.
            gitlab_project (str | Unset): GitLab `group/name`.
            webhook_secret (str | Unset): GitHub webhook secret / GitLab token (8 to 256 characters; write-only).
            default_agent (str | Unset): Default `claude`.
            default_model (str | Unset): Model of tasks created for this project.
            max_running (int | Unset): Running limit.
            deploy_command (list[str] | Unset): Argv run in a clone of the default branch after a story is merged (no
                shell).
     """

    name: str
    repository: str | Unset = UNSET
    default_branch: str | Unset = UNSET
    github_repo: str | Unset = UNSET
    gitlab_project: str | Unset = UNSET
    webhook_secret: str | Unset = UNSET
    default_agent: str | Unset = UNSET
    default_model: str | Unset = UNSET
    max_running: int | Unset = UNSET
    deploy_command: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        repository = self.repository

        default_branch = self.default_branch

        github_repo = self.github_repo

        gitlab_project = self.gitlab_project

        webhook_secret = self.webhook_secret

        default_agent = self.default_agent

        default_model = self.default_model

        max_running = self.max_running

        deploy_command: list[str] | Unset = UNSET
        if not isinstance(self.deploy_command, Unset):
            deploy_command = self.deploy_command




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
        if repository is not UNSET:
            field_dict["repository"] = repository
        if default_branch is not UNSET:
            field_dict["default_branch"] = default_branch
        if github_repo is not UNSET:
            field_dict["github_repo"] = github_repo
        if gitlab_project is not UNSET:
            field_dict["gitlab_project"] = gitlab_project
        if webhook_secret is not UNSET:
            field_dict["webhook_secret"] = webhook_secret
        if default_agent is not UNSET:
            field_dict["default_agent"] = default_agent
        if default_model is not UNSET:
            field_dict["default_model"] = default_model
        if max_running is not UNSET:
            field_dict["max_running"] = max_running
        if deploy_command is not UNSET:
            field_dict["deploy_command"] = deploy_command

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        repository = d.pop("repository", UNSET)

        default_branch = d.pop("default_branch", UNSET)

        github_repo = d.pop("github_repo", UNSET)

        gitlab_project = d.pop("gitlab_project", UNSET)

        webhook_secret = d.pop("webhook_secret", UNSET)

        default_agent = d.pop("default_agent", UNSET)

        default_model = d.pop("default_model", UNSET)

        max_running = d.pop("max_running", UNSET)

        deploy_command = cast(list[str], d.pop("deploy_command", UNSET))


        create_project = cls(
            name=name,
            repository=repository,
            default_branch=default_branch,
            github_repo=github_repo,
            gitlab_project=gitlab_project,
            webhook_secret=webhook_secret,
            default_agent=default_agent,
            default_model=default_model,
            max_running=max_running,
            deploy_command=deploy_command,
        )

        return create_project

