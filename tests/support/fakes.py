"""In-memory fakes of every repository and the unit of work in ``agendas.ports``.

The cosmicpython pattern: a unit of work keeps a committed snapshot and a working copy. Entering
it starts from the committed state, ``commit`` makes the working copy the committed state, and
leaving without a commit (for example on a refusal) discards every change. Repositories hand out
copies, as the SQL repositories hand out fresh dataclasses: a service that changes an object and
forgets to save it changes nothing stored, here as there.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Self, TypeVar, cast

from agendas.errors import ConcurrentEdit
from agendas.members import InhabilDeclaration, Proposal, ProposalState, Question
from agendas.model import (
    AuditEvent,
    Bilag,
    Identity,
    Invite,
    Membership,
    Moede,
    Person,
    Punkt,
    Role,
    Udvalg,
)
from agendas.outbox import DeliverySettings, OutboxMessage, OutboxStatus, Release
from agendas.plans import (
    Absence,
    Handleplan,
    Indsats,
    PlanGoal,
    RoundState,
    StatusAnswer,
    StatusRound,
    StatusSettings,
    StatusUnit,
)
from agendas.ports import (
    AbsenceRepository,
    AgendaRead,
    ApprovalRepository,
    AskedQuestion,
    AttendanceRepository,
    AuditRepository,
    BilagRepository,
    ChatViewRepository,
    DecisionRepository,
    DeliverySettingsRepository,
    IndsatsRepository,
    InhabilDeclarationRepository,
    InviteRepository,
    MembershipRepository,
    MoedeRepository,
    OutboxRepository,
    PersonRepository,
    PlanRepository,
    ProposalRepository,
    ProtokolRepository,
    PunktRead,
    PunktRepository,
    QuestionRepository,
    ReachabilityRepository,
    ReleaseRepository,
    SearchRepository,
    StatusAnswerRepository,
    StatusRoundRepository,
    UdvalgRepository,
    UnitOfWork,
)
from agendas.records import (
    Approval,
    AttendanceRecord,
    DecisionRecord,
    ProtokolStage,
    ProtokolState,
    StaleView,
)
from agendas.search import (
    DocKind,
    SearchDocument,
    SearchField,
    SearchHit,
    SearchHits,
    SearchQuery,
    SearchScope,
    Term,
    search_documents,
    terms,
)

T = TypeVar("T")


def _copy(item: T) -> T:
    # A pickle round trip copies as deeply as copy.deepcopy and several times faster: the
    # fake unit of work copies its whole state on every enter, commit and rollback.
    return cast(T, pickle.loads(pickle.dumps(item, pickle.HIGHEST_PROTOCOL)))


@dataclass
class FakeState:
    """Every table of the fake database; compared whole to prove that nothing changed."""

    udvalg: dict[int, Udvalg] = field(default_factory=dict)
    persons: dict[int, Person] = field(default_factory=dict)
    memberships: dict[int, Membership] = field(default_factory=dict)
    invites: dict[int, Invite] = field(default_factory=dict)
    moeder: dict[int, Moede] = field(default_factory=dict)
    punkter: dict[int, Punkt] = field(default_factory=dict)
    bilag: dict[int, Bilag] = field(default_factory=dict)
    audit: dict[int, AuditEvent] = field(default_factory=dict)
    #: Meeting mode: attendance by (moede_id, person_id), decisions by punkt id, protocol state
    #: by moede id, approvals by (moede_id, person_id).
    attendance: dict[tuple[int, int], AttendanceRecord] = field(default_factory=dict)
    decisions: dict[int, DecisionRecord] = field(default_factory=dict)
    protokoller: dict[int, ProtokolState] = field(default_factory=dict)
    approvals: dict[tuple[int, int], Approval] = field(default_factory=dict)
    #: Status rounds, and delivery (the outbox by key, releases by moede id).
    plans: dict[int, Handleplan] = field(default_factory=dict)
    indsatser: dict[int, Indsats] = field(default_factory=dict)
    rounds: dict[int, StatusRound] = field(default_factory=dict)
    answers: dict[tuple[int, int], StatusAnswer] = field(default_factory=dict)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)
    #: What members do for themselves: declarations by (punkt_id, person_id), questions and
    #: proposals by id.
    declarations: dict[tuple[int, int], InhabilDeclaration] = field(default_factory=dict)
    questions: dict[int, Question] = field(default_factory=dict)
    proposals: dict[int, Proposal] = field(default_factory=dict)
    #: Goals by id, units by id, early answers by indsats id (with their plan), list messages
    #: by (round, person), absences by person, settings by udvalg.
    goals: dict[int, PlanGoal] = field(default_factory=dict)
    units: dict[int, StatusUnit] = field(default_factory=dict)
    early: dict[int, tuple[int, StatusAnswer]] = field(default_factory=dict)
    prompts: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    absences: dict[int, Absence] = field(default_factory=dict)
    settings: dict[int, StatusSettings] = field(default_factory=dict)
    next_id: int = 1

    def new_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _state(self) -> FakeState:
        if self._uow.depth == 0:
            raise AssertionError("repository used outside `async with uow`")
        return self._uow.state


class FakeUdvalgRepository(_Repo):
    async def add(self, udvalg: Udvalg) -> Udvalg:
        udvalg.id = self._state.new_id()
        self._state.udvalg[udvalg.id] = _copy(udvalg)
        return udvalg

    async def get(self, udvalg_id: int) -> Udvalg | None:
        return _copy(self._state.udvalg.get(udvalg_id))

    async def by_code(self, code: str) -> Udvalg | None:
        found = [u for u in self._state.udvalg.values() if u.code == code]
        return _copy(found[0]) if found else None

    async def list_all(self) -> list[Udvalg]:
        return sorted(_copy(list(self._state.udvalg.values())), key=lambda u: u.code)

    async def set_meeting_minutes(self, udvalg_id: int, minutes: int) -> None:
        self._state.udvalg[udvalg_id].meeting_minutes = minutes


class FakePersonRepository(_Repo):
    async def add(self, person: Person) -> Person:
        if person.telegram_id is not None and any(
            p.telegram_id == person.telegram_id for p in self._state.persons.values()
        ):
            raise AssertionError("unique telegram_id violated")
        person.id = self._state.new_id()
        self._state.persons[person.id] = _copy(person)
        return person

    async def get(self, person_id: int) -> Person | None:
        return _copy(self._state.persons.get(person_id))

    async def many(self, person_ids: Sequence[int]) -> dict[int, Person]:
        return {i: _copy(self._state.persons[i]) for i in person_ids if i in self._state.persons}

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        found = [p for p in self._state.persons.values() if p.telegram_id == telegram_id]
        return _copy(found[0]) if found else None

    async def identity(self, telegram_id: int) -> Identity | None:
        person = await self.by_telegram_id(telegram_id)
        if person is None:
            return None
        roles: dict[int, set[Role]] = {}
        for m in self._state.memberships.values():
            if m.person_id == person.id:
                roles.setdefault(m.udvalg_id, set()).add(m.role)
        return Identity(person, {k: frozenset(v) for k, v in roles.items()})

    async def get_or_add(self, person: Person) -> Person:
        if person.telegram_id is None:
            return await self.add(person)
        return await self.by_telegram_id(person.telegram_id) or await self.add(person)

    async def update(self, person: Person) -> None:
        assert person.id in self._state.persons
        stored = self._state.persons[person.id]
        self._state.persons[person.id] = _copy(person)
        self._state.persons[person.id].telegram_id = stored.telegram_id  # as the SQL update

    async def set_telegram(self, person_id: int, telegram_id: int | None) -> None:
        if telegram_id is not None and any(
            p.telegram_id == telegram_id and i != person_id for i, p in self._state.persons.items()
        ):
            raise AssertionError("unique telegram_id violated")
        self._state.persons[person_id].telegram_id = telegram_id

    async def delete(self, person_id: int) -> None:
        self._state.persons.pop(person_id, None)
        for key in [k for k, m in self._state.memberships.items() if m.person_id == person_id]:
            del self._state.memberships[key]  # ON DELETE CASCADE
        for key in [k for k in self._state.attendance if k[1] == person_id]:
            del self._state.attendance[key]
        for key in [k for k in self._state.approvals if k[1] == person_id]:
            del self._state.approvals[key]
        for key in [k for k, i in self._state.invites.items() if i.person_id == person_id]:
            del self._state.invites[key]
        for membership in self._state.memberships.values():
            if membership.substitute_for == person_id:  # ON DELETE SET NULL
                membership.substitute_for = None
        for invite in self._state.invites.values():
            if invite.used_by == person_id:
                invite.used_by = None


class FakeMembershipRepository(_Repo):
    async def add(self, membership: Membership) -> Membership:
        membership.id = self._state.new_id()
        self._state.memberships[membership.id] = _copy(membership)
        return membership

    async def update(self, membership: Membership) -> None:
        assert membership.id in self._state.memberships
        self._state.memberships[membership.id] = _copy(membership)

    async def delete(self, membership_id: int) -> None:
        self._state.memberships.pop(membership_id, None)

    async def for_person(self, person_id: int) -> list[Membership]:
        return [_copy(m) for m in self._state.memberships.values() if m.person_id == person_id]

    async def for_udvalg(self, udvalg_id: int) -> list[Membership]:
        return [_copy(m) for m in self._state.memberships.values() if m.udvalg_id == udvalg_id]

    async def find(self, person_id: int, udvalg_id: int) -> list[Membership]:
        return [
            _copy(m)
            for m in self._state.memberships.values()
            if m.person_id == person_id and m.udvalg_id == udvalg_id
        ]


class FakeInviteRepository(_Repo):
    async def add(self, invite: Invite) -> Invite:
        invite.id = self._state.new_id()
        self._state.invites[invite.id] = _copy(invite)
        return invite

    async def by_hash(self, token_hash: str) -> Invite | None:
        found = [i for i in self._state.invites.values() if i.token_hash == token_hash]
        return _copy(found[0]) if found else None

    async def mark_used(self, invite_id: int, person_id: int, at: datetime) -> bool:
        stored = self._state.invites.get(invite_id)
        if stored is None or stored.used_at is not None:
            return False
        stored.used_by, stored.used_at = person_id, at
        return True


class FakeMoedeRepository(_Repo):
    async def add(self, moede: Moede) -> Moede:
        moede.id = self._state.new_id()
        self._state.moeder[moede.id] = _copy(moede)
        return moede

    async def get(self, moede_id: int) -> Moede | None:
        return _copy(self._state.moeder.get(moede_id))

    async def update(self, moede: Moede) -> None:
        assert moede.id in self._state.moeder
        self._state.moeder[moede.id] = _copy(moede)

    async def for_udvalg(self, udvalg_id: int) -> list[Moede]:
        return [_copy(m) for m in self._state.moeder.values() if m.udvalg_id == udvalg_id]

    async def many(self, moede_ids: Sequence[int]) -> dict[int, Moede]:
        return {i: _copy(self._state.moeder[i]) for i in set(moede_ids) if i in self._state.moeder}

    async def on_days(self, udvalg_ids: Sequence[int], days: Sequence[date]) -> list[Moede]:
        return [
            _copy(m)
            for m in self._state.moeder.values()
            if m.udvalg_id in udvalg_ids and m.date in days
        ]

    async def for_udvalg_between(
        self, udvalg_ids: list[int], start: date, end: date
    ) -> list[Moede]:
        return [
            _copy(m)
            for m in self._state.moeder.values()
            if m.udvalg_id in udvalg_ids and start <= m.date <= end
        ]

    async def between(self, start: date, end: date) -> list[Moede]:
        found = [m for m in self._state.moeder.values() if start <= m.date <= end]
        return [_copy(m) for m in sorted(found, key=lambda m: (m.date, m.clock, m.id or 0))]

    async def latest_until(self, udvalg_ids: list[int], end: date) -> Moede | None:
        found = [
            m for m in self._state.moeder.values() if m.udvalg_id in udvalg_ids and m.date <= end
        ]
        return _copy(max(found, key=lambda m: (m.date, m.clock, m.id or 0))) if found else None


class FakePunktRepository(_Repo):
    async def add(self, punkt: Punkt) -> Punkt:
        punkt.id = self._state.new_id()
        punkt.version = 1
        self._state.punkter[punkt.id] = _copy(punkt)
        return punkt

    async def get(self, punkt_id: int) -> Punkt | None:
        return _copy(self._state.punkter.get(punkt_id))

    async def for_moede(self, moede_id: int) -> list[Punkt]:
        return [_copy(p) for p in self._state.punkter.values() if p.moede_id == moede_id]

    async def versions(self, moede_ids: Sequence[int]) -> dict[int, dict[int, int]]:
        result: dict[int, dict[int, int]] = {}
        for p in self._state.punkter.values():
            if p.moede_id in moede_ids:
                result.setdefault(p.moede_id, {})[p.id or 0] = p.version
        return result

    async def save(self, punkt: Punkt, expected_version: int) -> Punkt:
        assert punkt.id is not None
        stored = self._state.punkter.get(punkt.id)
        if stored is None or stored.version != expected_version:
            raise ConcurrentEdit()
        saved = _copy(punkt)
        saved.version = stored.version + 1
        self._state.punkter[punkt.id] = saved
        return _copy(saved)

    async def set_positions(self, positions: dict[int, tuple[int, int]]) -> None:
        for punkt_id, (moede_id, position) in positions.items():
            stored = self._state.punkter[punkt_id]
            stored.moede_id, stored.position = moede_id, position

    async def delete(self, punkt_id: int) -> None:
        self._state.punkter.pop(punkt_id, None)


class FakeBilagRepository(_Repo):
    async def add(self, bilag: Bilag) -> Bilag:
        bilag.id = self._state.new_id()
        self._state.bilag[bilag.id] = _copy(bilag)
        return bilag

    async def fill(self, bilag: Bilag) -> Bilag:
        self._state.bilag[bilag.id or 0] = _copy(bilag)
        return bilag

    async def get(self, bilag_id: int, with_content: bool = False) -> Bilag | None:
        stored = self._state.bilag.get(bilag_id)
        if stored is None:
            return None
        result = _copy(stored)
        if not with_content:
            result.content = None
        return result

    async def for_punkt(self, punkt_id: int) -> list[Bilag]:
        found = sorted(
            (b for b in self._state.bilag.values() if b.punkt_id == punkt_id),
            key=lambda b: (b.position, b.id or 0),
        )
        result = [_copy(b) for b in found]
        for item in result:
            item.content = None
        return result

    async def for_punkter(self, punkt_ids: Sequence[int]) -> dict[int, list[Bilag]]:
        return {pid: await self.for_punkt(pid) for pid in sorted(set(punkt_ids))}

    async def delete(self, bilag_id: int) -> None:
        self._state.bilag.pop(bilag_id, None)


class FakeAuditRepository(_Repo):
    async def add(self, event: AuditEvent) -> None:
        event.id = self._state.new_id()
        self._state.audit[event.id] = _copy(event)

    async def list_recent(self, limit: int = 50) -> list[AuditEvent]:
        events = sorted(self._state.audit.values(), key=lambda e: e.id or 0, reverse=True)
        return [_copy(e) for e in events[:limit]]

    async def since(self, udvalg_id: int, since: datetime) -> list[AuditEvent]:
        events = sorted(self._state.audit.values(), key=lambda e: e.id or 0)
        return [
            _copy(e)
            for e in events
            if e.udvalg_id == udvalg_id and e.at is not None and e.at >= since
        ]


class FakeAttendanceRepository(_Repo):
    async def for_moede(self, moede_id: int) -> list[AttendanceRecord]:
        return [_copy(a) for (m, _), a in self._state.attendance.items() if m == moede_id]

    async def put(self, record: AttendanceRecord) -> None:
        key = (record.moede_id, record.person_id)
        stored = self._state.attendance.get(key)
        saved = _copy(record)
        saved.id = stored.id if stored else self._state.new_id()
        self._state.attendance[key] = saved


class FakeDecisionRepository(_Repo):
    async def get(self, punkt_id: int) -> DecisionRecord | None:
        return _copy(self._state.decisions.get(punkt_id))

    async def for_punkter(self, punkt_ids: list[int]) -> dict[int, DecisionRecord]:
        return {k: _copy(v) for k, v in self._state.decisions.items() if k in punkt_ids}

    async def put(self, record: DecisionRecord) -> None:
        self._state.decisions[record.punkt_id] = _copy(record)


class FakeProtokolRepository(_Repo):
    async def get(self, moede_id: int) -> ProtokolState:
        return _copy(self._state.protokoller.get(moede_id)) or ProtokolState(moede_id=moede_id)

    async def sent(self) -> list[ProtokolState]:
        return [
            _copy(p)
            for _, p in sorted(self._state.protokoller.items())
            if p.stage is ProtokolStage.SENDT
        ]

    async def for_moeder(self, moede_ids: Sequence[int]) -> dict[int, ProtokolState]:
        return {k: _copy(v) for k, v in self._state.protokoller.items() if k in set(moede_ids)}

    async def approved(self, limit: int) -> list[ProtokolState]:
        found = [p for p in self._state.protokoller.values() if p.stage is ProtokolStage.GODKENDT]
        found.sort(key=lambda p: (p.locked_at or datetime.min.replace(tzinfo=UTC), p.moede_id))
        return [_copy(p) for p in reversed(found)][:limit]

    async def save(self, state: ProtokolState, expected_rev: int) -> ProtokolState:
        stored = self._state.protokoller.get(state.moede_id)
        if (stored.rev if stored else 0) != expected_rev:
            raise StaleView()
        saved = _copy(state)
        saved.rev = expected_rev + 1
        self._state.protokoller[state.moede_id] = saved
        return _copy(saved)


class FakeApprovalRepository(_Repo):
    async def for_moede(self, moede_id: int) -> list[Approval]:
        found = [a for (m, _), a in self._state.approvals.items() if m == moede_id]
        return [_copy(a) for a in sorted(found, key=lambda a: a.approved_at)]

    async def add(self, approval: Approval) -> bool:
        key = (approval.moede_id, approval.person_id)
        if key in self._state.approvals:
            return False
        self._state.approvals[key] = _copy(approval)
        return True

    async def clear(self, moede_id: int) -> int:
        keys = [k for k in self._state.approvals if k[0] == moede_id]
        for key in keys:
            del self._state.approvals[key]
        return len(keys)


class FakePlanRepository(_Repo):
    async def add(self, plan: Handleplan) -> Handleplan:
        plan.id = self._state.new_id()
        self._state.plans[plan.id] = _copy(plan)
        return _copy(plan)

    async def get(self, plan_id: int) -> Handleplan | None:
        return _copy(self._state.plans.get(plan_id))

    async def update(self, plan: Handleplan) -> None:
        assert plan.id in self._state.plans
        self._state.plans[plan.id] = _copy(plan)

    async def for_udvalg(self, udvalg_id: int) -> list[Handleplan]:
        return [_copy(p) for _, p in sorted(self._state.plans.items()) if p.udvalg_id == udvalg_id]

    async def scheduled(self) -> list[Handleplan]:
        return [_copy(p) for _, p in sorted(self._state.plans.items()) if p.active and p.schedule]

    async def add_goal(self, goal: PlanGoal) -> PlanGoal:
        goal.id = self._state.new_id()
        self._state.goals[goal.id] = _copy(goal)
        return _copy(goal)

    async def goals(self, plan_id: int) -> list[PlanGoal]:
        found = [g for g in self._state.goals.values() if g.plan_id == plan_id]
        return [_copy(g) for g in sorted(found, key=lambda g: (g.position, g.id or 0))]

    async def settings(self, udvalg_id: int) -> StatusSettings:
        return _copy(self._state.settings.get(udvalg_id) or StatusSettings(udvalg_id))

    async def put_settings(self, settings: StatusSettings) -> None:
        self._state.settings[settings.udvalg_id] = _copy(settings)


class FakeIndsatsRepository(_Repo):
    async def add(self, indsats: Indsats) -> Indsats:
        indsats.id = self._state.new_id()
        for owner in indsats.owners:
            owner.id = self._state.new_id()
        self._state.indsatser[indsats.id] = _copy(indsats)
        return _copy(indsats)

    async def get(self, indsats_id: int) -> Indsats | None:
        return _copy(self._state.indsatser.get(indsats_id))

    async def update(self, indsats: Indsats) -> None:
        assert indsats.id in self._state.indsatser
        for owner in indsats.owners:
            owner.id = owner.id or self._state.new_id()
        self._state.indsatser[indsats.id] = _copy(indsats)

    async def for_plan(self, plan_id: int) -> list[Indsats]:
        found = [i for i in self._state.indsatser.values() if i.plan_id == plan_id]
        return [_copy(i) for i in sorted(found, key=lambda i: (i.position, i.id or 0))]

    async def for_person(self, person_id: int) -> list[Indsats]:
        found = [i for i in self._state.indsatser.values() if i.owned_by(person_id)]
        return [_copy(i) for i in sorted(found, key=lambda i: (i.plan_id, i.position, i.id or 0))]

    async def units(self, udvalg_id: int) -> list[StatusUnit]:
        return [_copy(u) for _, u in sorted(self._state.units.items()) if u.udvalg_id == udvalg_id]

    async def add_unit(self, unit: StatusUnit) -> StatusUnit:
        unit.id = self._state.new_id()
        self._state.units[unit.id] = _copy(unit)
        return _copy(unit)

    async def update_unit(self, unit: StatusUnit) -> None:
        assert unit.id in self._state.units
        self._state.units[unit.id] = _copy(unit)
        for indsats in self._state.indsatser.values():
            for owner in indsats.owners:
                if owner.unit_id == unit.id:
                    owner.person_id = unit.person_id


class FakeStatusRoundRepository(_Repo):
    async def add(self, status_round: StatusRound) -> StatusRound:
        if any(
            r.plan_id == status_round.plan_id and r.number == status_round.number
            for r in self._state.rounds.values()
        ):
            raise ConcurrentEdit("err-status-round-running")
        status_round.id = self._state.new_id()
        self._state.rounds[status_round.id] = _copy(status_round)
        return _copy(status_round)

    async def get(self, round_id: int) -> StatusRound | None:
        return _copy(self._state.rounds.get(round_id))

    async def update(self, status_round: StatusRound) -> None:
        assert status_round.id in self._state.rounds
        self._state.rounds[status_round.id] = _copy(status_round)

    async def for_plan(self, plan_id: int) -> list[StatusRound]:
        found = [r for r in self._state.rounds.values() if r.plan_id == plan_id]
        return [_copy(r) for r in sorted(found, key=lambda r: r.number)]

    async def open_rounds(self) -> list[StatusRound]:
        return [
            _copy(r) for _, r in sorted(self._state.rounds.items()) if r.state is RoundState.OPEN
        ]

    async def prompt_message(self, round_id: int, person_id: int) -> tuple[int, int] | None:
        return self._state.prompts.get((round_id, person_id))

    async def set_prompt_message(
        self, round_id: int, person_id: int, chat_id: int, message_id: int
    ) -> None:
        self._state.prompts[(round_id, person_id)] = (chat_id, message_id)


class FakeStatusAnswerRepository(_Repo):
    async def put(self, answer: StatusAnswer) -> StatusAnswer:
        key = (answer.round_id, answer.indsats_id)
        old = self._state.answers.get(key)
        answer.id = old.id if old else self._state.new_id()
        self._state.answers[key] = _copy(answer)
        return _copy(answer)

    async def for_rounds(self, round_ids: list[int]) -> list[StatusAnswer]:
        wanted = set(round_ids)
        found = [a for a in self._state.answers.values() if a.round_id in wanted]
        return [_copy(a) for a in sorted(found, key=lambda a: a.id or 0)]

    async def put_early(self, plan_id: int, answer: StatusAnswer) -> StatusAnswer:
        old = self._state.early.get(answer.indsats_id)
        stored = _copy(answer)
        stored.round_id, stored.early = 0, True
        stored.id = old[1].id if old else self._state.new_id()
        self._state.early[answer.indsats_id] = (plan_id, stored)
        return _copy(stored)

    async def early_for_plan(self, plan_id: int) -> list[StatusAnswer]:
        found = [a for p, a in self._state.early.values() if p == plan_id]
        return [_copy(a) for a in sorted(found, key=lambda a: a.id or 0)]

    async def drop_early(self, plan_id: int) -> None:
        for key in [k for k, (p, _) in self._state.early.items() if p == plan_id]:
            del self._state.early[key]


class FakeAbsenceRepository(_Repo):
    async def put(self, absence: Absence) -> Absence:
        absence.id = self._state.new_id()
        self._state.absences[absence.person_id] = _copy(absence)
        return _copy(absence)

    async def end(self, person_id: int) -> bool:
        return self._state.absences.pop(person_id, None) is not None

    async def for_persons(self, person_ids: Sequence[int]) -> dict[int, Absence]:
        return {p: _copy(a) for p, a in self._state.absences.items() if p in set(person_ids)}


class FakeOutboxRepository(_Repo):
    async def add(self, message: OutboxMessage) -> bool:
        if message.key in self._state.outbox:
            return False
        message.id = self._state.new_id()
        self._state.outbox[message.key] = _copy(message)
        return True

    async def add_many(self, messages: Sequence[OutboxMessage]) -> int:
        return sum([await self.add(m) for m in messages])

    async def by_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        return [_copy(m) for k, m in self._state.outbox.items() if k.startswith(prefix)]

    async def prefixes_used(self, prefixes: Sequence[str]) -> set[str]:
        keys = list(self._state.outbox)
        return {p for p in prefixes if any(k.startswith(p) for k in keys)}

    async def update_pending(
        self, key: str, payload: dict[str, object], not_before: datetime | None = None
    ) -> bool:
        message = self._state.outbox.get(key)
        if message is None or message.status is not OutboxStatus.PENDING:
            return False
        message.payload = dict(payload)
        if not_before is not None:
            message.not_before = not_before
        return True


class FakeReleaseRepository(_Repo):
    async def get(self, moede_id: int) -> Release | None:
        return _copy(self._state.releases.get(moede_id))

    async def for_moeder(self, moede_ids: Sequence[int]) -> dict[int, Release]:
        return {k: _copy(v) for k, v in self._state.releases.items() if k in set(moede_ids)}

    async def add(self, release: Release) -> bool:
        if release.moede_id in self._state.releases:
            return False
        self._state.releases[release.moede_id] = _copy(release)
        return True

    async def update(self, release: Release) -> None:
        self._state.releases[release.moede_id] = _copy(release)


class FakeDeliverySettingsRepository(_Repo):
    async def get(self, udvalg_id: int) -> DeliverySettings:
        return DeliverySettings(udvalg_id)

    async def many(self, udvalg_ids: Sequence[int]) -> dict[int, DeliverySettings]:
        return {u: DeliverySettings(u) for u in udvalg_ids}

    async def put(self, settings: DeliverySettings) -> None:
        return None


class FakeReachabilityRepository(_Repo):
    async def unreachable(self, chat_ids: list[int]) -> set[int]:
        return set()

    async def mark(self, chat_id: int, at: object, reason: str = "") -> None:
        return None


class FakeInhabilDeclarationRepository(_Repo):
    async def put(self, declaration: InhabilDeclaration) -> InhabilDeclaration:
        key = (declaration.punkt_id, declaration.person_id)
        stored = self._state.declarations.get(key)
        saved = _copy(declaration)
        saved.id = stored.id if stored else self._state.new_id()
        self._state.declarations[key] = saved
        return _copy(saved)

    async def for_punkter(self, punkt_ids: list[int]) -> list[InhabilDeclaration]:
        found = [d for (p, _), d in self._state.declarations.items() if p in punkt_ids]
        return [_copy(d) for d in sorted(found, key=lambda d: (d.declared_at, d.id or 0))]


class FakeQuestionRepository(_Repo):
    async def add(self, question: Question) -> Question:
        question.id = self._state.new_id()
        self._state.questions[question.id] = _copy(question)
        return _copy(question)

    async def get(self, question_id: int) -> Question | None:
        return _copy(self._state.questions.get(question_id))

    async def answer(self, question: Question) -> bool:
        stored = self._state.questions.get(question.id or 0)
        if stored is None or stored.answered:
            return False
        stored.answer, stored.answered_by = question.answer, question.answered_by
        stored.answered_at = question.answered_at
        return True

    async def for_punkter(self, punkt_ids: list[int]) -> list[Question]:
        found = [q for q in self._state.questions.values() if q.punkt_id in punkt_ids]
        return [_copy(q) for q in sorted(found, key=lambda q: (q.asked_at, q.id or 0))]


class FakeProposalRepository(_Repo):
    async def add(self, proposal: Proposal) -> Proposal:
        proposal.id = self._state.new_id()
        self._state.proposals[proposal.id] = _copy(proposal)
        return _copy(proposal)

    async def get(self, proposal_id: int) -> Proposal | None:
        return _copy(self._state.proposals.get(proposal_id))

    async def decide(self, proposal: Proposal) -> bool:
        stored = self._state.proposals.get(proposal.id or 0)
        if stored is None or stored.state is not ProposalState.AFVENTER:
            return False
        self._state.proposals[proposal.id or 0] = _copy(proposal)
        return True


class FakeSearchRepository(_Repo):
    """The index read straight from the fake state: the domain's documents of each punkt, a
    term matching where its stems stand next to each other in the field it asks for. No
    ranking (relevance sorts as newest); the archive is not modelled (nothing found)."""

    async def search(
        self, query: SearchQuery, scope: SearchScope, offset: int, limit: int
    ) -> SearchHits:
        found: list[tuple[date, int, SearchHit]] = []
        if scope.archive:
            return SearchHits(0, [])
        for punkt in self._state.punkter.values():
            moede = self._state.moeder[punkt.moede_id]
            if query.years and moede.date.year not in query.years:
                continue
            record = self._state.decisions.get(punkt.id or 0)
            sections = [t for k, t in punkt.sections.items() if k != "beslutning"]
            docs = search_documents(
                punkt.title,
                punkt.closed,
                sections,
                (record.beslutning if record else "") or punkt.section("beslutning"),
                record.public_beslutning if record else "",
            )
            full = moede.udvalg_id in scope.full
            if not full and moede.udvalg_id not in scope.public:
                continue
            wanted = {DocKind.ALL, DocKind.FULL} if full else {DocKind.ALL, DocKind.PUBLIC}
            for doc in docs:
                if doc.kind in wanted and all(_fake_match(t, doc) for t in query.terms):
                    hit = SearchHit(
                        punkt.id or 0, moede.id or 0, moede.udvalg_id, doc.kind, doc.title
                    )
                    found.append((moede.date, -(punkt.id or 0), hit))
        found.sort(key=lambda f: (f[0], f[1]), reverse=True)
        hits = [replace(f[2], day=f[0]) for f in found]
        return SearchHits(len(hits), hits[offset : offset + limit])


def _fake_match(term: Term, doc: SearchDocument) -> bool:
    fields = {
        SearchField.TITLE: [doc.title],
        SearchField.BESLUTNING: [doc.beslutning],
    }.get(term.where, [doc.title, doc.body, doc.beslutning])
    wanted = list(term.stems)
    for text in fields:
        stems = terms(text)
        if any(stems[i : i + len(wanted)] == wanted for i in range(len(stems))):
            return True
    return False


class FakeChatViewRepository(_Repo):
    """The chat's read views composed from the other fakes (same answers, more calls)."""

    async def moeder_between(
        self, udvalg_ids: Sequence[int] | None, start: date, end: date
    ) -> list[tuple[Moede, Udvalg]]:
        found = []
        for m in self._state.moeder.values():
            if udvalg_ids is not None and m.udvalg_id not in udvalg_ids:
                continue
            if start <= m.date <= end:
                found.append((_copy(m), _copy(self._state.udvalg[m.udvalg_id])))
        return sorted(found, key=lambda x: (x[0].date, x[0].clock, x[0].id or 0))

    async def agenda(self, moede_id: int) -> AgendaRead | None:
        uow = self._uow
        moede = await uow.moeder.get(moede_id)
        if moede is None:
            return None
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        assert udvalg is not None
        punkter = await uow.punkter.for_moede(moede_id)
        counts = {p.id or 0: len(await uow.bilag.for_punkt(p.id or 0)) for p in punkter}
        for p in punkter:
            p.sections = {}
        return AgendaRead(moede, udvalg, punkter, counts)

    async def next_agenda(
        self, udvalg_ids: Sequence[int] | None, start: date, end: date, now: datetime
    ) -> AgendaRead | None:
        from agendas.services.meetings import MoedeListing, next_moede

        found = await self.moeder_between(udvalg_ids, start, end)
        chosen = next_moede([MoedeListing(m, u) for m, u in found], now)
        return await self.agenda(chosen.moede.id or 0) if chosen else None

    async def punkt(self, punkt_id: int) -> PunktRead | None:
        uow = self._uow
        punkt = await uow.punkter.get(punkt_id)
        if punkt is None:
            return None
        moede = await uow.moeder.get(punkt.moede_id)
        assert moede is not None
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        assert udvalg is not None
        bilag = await uow.bilag.for_punkt(punkt_id)
        asked = await uow.questions.for_punkter([punkt_id])
        return PunktRead(punkt, moede, udvalg, len(bilag), len(asked))

    async def order(self, moede_id: int) -> list[Punkt]:
        return await self._uow.punkter.for_moede(moede_id)

    async def bilag(self, punkt_id: int) -> list[Bilag]:
        return await self._uow.bilag.for_punkt(punkt_id)

    async def questions(self, punkt_id: int, udvalg_id: int) -> list[AskedQuestion]:
        found = []
        for q in await self._uow.questions.for_punkter([punkt_id]):
            asker = self._state.persons.get(q.asked_by)
            answerer = self._state.persons.get(q.answered_by or 0)
            parties = [
                m.party or ""
                for m in self._state.memberships.values()
                if m.person_id == q.asked_by and m.udvalg_id == udvalg_id and m.role.is_member
            ]
            found.append(
                AskedQuestion(
                    q,
                    asker.name if asker else "?",
                    max(parties, default=""),
                    answerer.name if answerer else "?",
                )
            )
        return found


class FakeUnitOfWork:
    """A unit of work over ``FakeState``; may be entered again and again (one transaction each)."""

    def __init__(self, state: FakeState | None = None) -> None:
        self.committed_state = state or FakeState()
        self.state = _copy(self.committed_state)
        #: How many times ``commit`` was called (truthy once anything was committed).
        self.committed = 0
        self.rollbacks = 0
        self.depth = 0
        self.udvalg: UdvalgRepository = FakeUdvalgRepository(self)
        self.persons: PersonRepository = FakePersonRepository(self)
        self.memberships: MembershipRepository = FakeMembershipRepository(self)
        self.invites: InviteRepository = FakeInviteRepository(self)
        self.moeder: MoedeRepository = FakeMoedeRepository(self)
        self.punkter: PunktRepository = FakePunktRepository(self)
        self.bilag: BilagRepository = FakeBilagRepository(self)
        self.audit: AuditRepository = FakeAuditRepository(self)
        self.attendance: AttendanceRepository = FakeAttendanceRepository(self)
        self.decisions: DecisionRepository = FakeDecisionRepository(self)
        self.protokoller: ProtokolRepository = FakeProtokolRepository(self)
        self.approvals: ApprovalRepository = FakeApprovalRepository(self)
        self.search: SearchRepository = FakeSearchRepository(self)
        self.outbox: OutboxRepository = FakeOutboxRepository(self)
        self.releases: ReleaseRepository = FakeReleaseRepository(self)
        self.delivery: DeliverySettingsRepository = FakeDeliverySettingsRepository(self)
        self.reachability: ReachabilityRepository = FakeReachabilityRepository(self)
        self.plans: PlanRepository = FakePlanRepository(self)
        self.indsatser: IndsatsRepository = FakeIndsatsRepository(self)
        self.status_rounds: StatusRoundRepository = FakeStatusRoundRepository(self)
        self.status_answers: StatusAnswerRepository = FakeStatusAnswerRepository(self)
        self.declarations: InhabilDeclarationRepository = FakeInhabilDeclarationRepository(self)
        self.questions: QuestionRepository = FakeQuestionRepository(self)
        self.proposals: ProposalRepository = FakeProposalRepository(self)
        self.absences: AbsenceRepository = FakeAbsenceRepository(self)
        self.views: ChatViewRepository = FakeChatViewRepository(self)

    async def __aenter__(self) -> Self:
        if self.depth == 0:
            self.state = _copy(self.committed_state)
        self.depth += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.depth -= 1
        if self.depth == 0:
            await self.rollback()

    async def commit(self) -> None:
        assert self.depth > 0, "commit outside `async with uow`"
        self.committed_state = _copy(self.state)
        self.committed += 1

    async def rollback(self) -> None:
        """Discard whatever was not committed."""
        if self.state != self.committed_state:
            self.rollbacks += 1
        self.state = _copy(self.committed_state)

    def snapshot(self) -> FakeState:
        """A copy of the committed state, to compare with later."""
        return _copy(self.committed_state)

    @property
    def committed_outbox(self) -> dict[str, OutboxMessage]:
        return self.committed_state.outbox

    @property
    def events(self) -> list[AuditEvent]:
        """Committed audit events, oldest first."""
        return [self.committed_state.audit[k] for k in sorted(self.committed_state.audit)]


def _conforms(uow: FakeUnitOfWork) -> UnitOfWork:
    """Type-checked proof that the fake satisfies the port (mypy fails here if it drifts)."""
    return uow
