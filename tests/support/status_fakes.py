"""In-memory fakes of the status-round and outbox repositories, on top of ``tests.support.fakes``.

``StatusFakeState`` adds the tables; ``StatusFakeUnitOfWork`` the repositories, with the same
commit/rollback semantics (a refusal leaves the committed state untouched).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agendas.errors import ConcurrentEdit
from agendas.outbox import DeliverySettings, OutboxMessage, Release
from agendas.plans import Handleplan, Indsats, RoundState, StatusAnswer, StatusRound
from agendas.services.status import StatusUnitOfWork
from tests.support.fakes import FakeState, FakeUnitOfWork, _copy, _Repo


@dataclass
class StatusFakeState(FakeState):
    plans: dict[int, Handleplan] = field(default_factory=dict)
    indsatser: dict[int, Indsats] = field(default_factory=dict)
    rounds: dict[int, StatusRound] = field(default_factory=dict)
    answers: dict[tuple[int, int], StatusAnswer] = field(default_factory=dict)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)


class _StatusRepo(_Repo):
    @property
    def _s(self) -> StatusFakeState:
        state = self._state
        assert isinstance(state, StatusFakeState)
        return state


class FakePlanRepository(_StatusRepo):
    async def add(self, plan: Handleplan) -> Handleplan:
        plan.id = self._s.new_id()
        self._s.plans[plan.id] = _copy(plan)
        return _copy(plan)

    async def get(self, plan_id: int) -> Handleplan | None:
        return _copy(self._s.plans.get(plan_id))

    async def update(self, plan: Handleplan) -> None:
        assert plan.id in self._s.plans
        self._s.plans[plan.id] = _copy(plan)

    async def for_udvalg(self, udvalg_id: int) -> list[Handleplan]:
        return [_copy(p) for _, p in sorted(self._s.plans.items()) if p.udvalg_id == udvalg_id]

    async def scheduled(self) -> list[Handleplan]:
        return [_copy(p) for _, p in sorted(self._s.plans.items()) if p.active and p.schedule]


class FakeIndsatsRepository(_StatusRepo):
    async def add(self, indsats: Indsats) -> Indsats:
        indsats.id = self._s.new_id()
        self._s.indsatser[indsats.id] = _copy(indsats)
        return _copy(indsats)

    async def get(self, indsats_id: int) -> Indsats | None:
        return _copy(self._s.indsatser.get(indsats_id))

    async def update(self, indsats: Indsats) -> None:
        assert indsats.id in self._s.indsatser
        self._s.indsatser[indsats.id] = _copy(indsats)

    async def for_plan(self, plan_id: int) -> list[Indsats]:
        found = [i for i in self._s.indsatser.values() if i.plan_id == plan_id]
        return [_copy(i) for i in sorted(found, key=lambda i: (i.position, i.id or 0))]

    async def for_person(self, person_id: int) -> list[Indsats]:
        found = [i for i in self._s.indsatser.values() if i.tovholder_person_id == person_id]
        return [_copy(i) for i in sorted(found, key=lambda i: (i.plan_id, i.position, i.id or 0))]


class FakeStatusRoundRepository(_StatusRepo):
    async def add(self, status_round: StatusRound) -> StatusRound:
        if any(
            r.plan_id == status_round.plan_id and r.number == status_round.number
            for r in self._s.rounds.values()
        ):
            raise ConcurrentEdit("err-status-round-running")
        status_round.id = self._s.new_id()
        self._s.rounds[status_round.id] = _copy(status_round)
        return _copy(status_round)

    async def get(self, round_id: int) -> StatusRound | None:
        return _copy(self._s.rounds.get(round_id))

    async def update(self, status_round: StatusRound) -> None:
        assert status_round.id in self._s.rounds
        self._s.rounds[status_round.id] = _copy(status_round)

    async def for_plan(self, plan_id: int) -> list[StatusRound]:
        found = [r for r in self._s.rounds.values() if r.plan_id == plan_id]
        return [_copy(r) for r in sorted(found, key=lambda r: r.number)]

    async def open_rounds(self) -> list[StatusRound]:
        return [_copy(r) for _, r in sorted(self._s.rounds.items()) if r.state is RoundState.OPEN]


class FakeStatusAnswerRepository(_StatusRepo):
    async def put(self, answer: StatusAnswer) -> StatusAnswer:
        key = (answer.round_id, answer.indsats_id)
        old = self._s.answers.get(key)
        answer.id = old.id if old else self._s.new_id()
        self._s.answers[key] = _copy(answer)
        return _copy(answer)

    async def for_rounds(self, round_ids: list[int]) -> list[StatusAnswer]:
        wanted = set(round_ids)
        found = [a for a in self._s.answers.values() if a.round_id in wanted]
        return [_copy(a) for a in sorted(found, key=lambda a: a.id or 0)]


class FakeOutboxRepository(_StatusRepo):
    async def add(self, message: OutboxMessage) -> bool:
        if message.key in self._s.outbox:
            return False
        message.id = self._s.new_id()
        self._s.outbox[message.key] = _copy(message)
        return True

    async def add_many(self, messages: Sequence[OutboxMessage]) -> int:
        return sum([await self.add(m) for m in messages])

    async def by_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        return [_copy(m) for k, m in self._s.outbox.items() if k.startswith(prefix)]


class FakeReleaseRepository(_StatusRepo):
    async def get(self, moede_id: int) -> Release | None:
        return _copy(self._s.releases.get(moede_id))

    async def add(self, release: Release) -> bool:
        if release.moede_id in self._s.releases:
            return False
        self._s.releases[release.moede_id] = _copy(release)
        return True

    async def update(self, release: Release) -> None:
        self._s.releases[release.moede_id] = _copy(release)


class FakeDeliverySettingsRepository(_StatusRepo):
    async def get(self, udvalg_id: int) -> DeliverySettings:
        return DeliverySettings(udvalg_id)

    async def put(self, settings: DeliverySettings) -> None:
        return None


class FakeReachabilityRepository(_StatusRepo):
    async def unreachable(self, chat_ids: list[int]) -> set[int]:
        return set()

    async def mark(self, chat_id: int, at: object, reason: str = "") -> None:
        return None


class StatusFakeUnitOfWork(FakeUnitOfWork):
    def __init__(self, state: StatusFakeState | None = None) -> None:
        super().__init__(state or StatusFakeState())
        self.plans = FakePlanRepository(self)
        self.indsatser = FakeIndsatsRepository(self)
        self.status_rounds = FakeStatusRoundRepository(self)
        self.status_answers = FakeStatusAnswerRepository(self)
        self.outbox = FakeOutboxRepository(self)
        self.releases = FakeReleaseRepository(self)
        self.delivery = FakeDeliverySettingsRepository(self)
        self.reachability = FakeReachabilityRepository(self)

    @property
    def committed_outbox(self) -> dict[str, OutboxMessage]:
        state = self.committed_state
        assert isinstance(state, StatusFakeState)
        return state.outbox


def _conforms(uow: StatusFakeUnitOfWork) -> StatusUnitOfWork:
    return uow
