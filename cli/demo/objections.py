"""The demo's objections (RULES O-1..O-4) and repair applications (L-4), over the past weeks.

The rest of the suite runs on the real clock; the objection service runs on a manual clock (its
``start_clock``), which the tour moves through the last ``DAYS`` days, slot by slot, through the
service's ClockService, so that objections can be filed weeks ago, answered days later (some in
time, some late, some extended once with a reason), and left unanswered past their deadline.
At the end its clock stands at the real instant, where deadlines are judged.

Subjects object through the credit portal (``portal/credit-hainan``, acting for the subject it
names) to their own history records that weigh on them (smuggling penalties, a department's
lowest grade, risk alerts, other legal listings). The owner answers as itself: UPHELD (a rating
corrected one grade up, anything else withdrawn: O-4, the service files the owner's record
through ingestion) or REJECTED with a reason. Listed subjects apply for repair of their listing
through the portal; the service admits or refuses each by L-4 at receipt; the list keeper
approves or rejects the admitted ones.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import grpc

from secondline.cli.demo.subjects import Filing, Population
from secondline.cli.demo.tallies import ObjectionTally
from secondline.common.v1 import common_pb2
from secondline.dates import CST, cst_date, default_calendar
from secondline.ingestion.v1 import ingestion_pb2 as pb
from secondline.ingestion.v1.ingestion_pb2_grpc import IngestionServiceStub
from secondline.objection.v1 import objection_pb2 as opb
from secondline.objection.v1.objection_pb2_grpc import ObjectionServiceStub
from secondline.rpc.convert import timestamp
from secondline.rules_config import RuleVersion
from secondline.testing.v1 import clock_pb2, clock_pb2_grpc

HEADER = "x-secondline-principal"
PORTAL = ((HEADER, "portal/credit-hainan"),)
OPERATOR = ((HEADER, "operator/demo"),)
DAYS = 24  # how far back the replay starts
DISPUTED = {"SMUGGLING_PENALTY", "RISK_ALERT", "OTHER_LEGAL_LISTING", "INDUSTRY_RATING"}
AT_ONCE = 6  # calls in flight within one slot of the replay
MAX_REPAIRS = 40


def replay_start(now: datetime) -> datetime:
    """Where the objection service's clock starts: 09:00 CST, ``DAYS`` days ago."""
    return datetime.combine(cst_date(now) - timedelta(days=DAYS), time(9), tzinfo=CST).astimezone(timezone.utc)


def _by(department: str) -> tuple:
    return ((HEADER, f"department/{department}"),)


@dataclass
class _Case:
    filing: Filing
    record_id: str = ""
    objection_id: str = ""
    repair_id: str = ""


class ObjectionTour:
    def __init__(self, population: Population, rules: RuleVersion, *, count: int, seed: int, now: datetime) -> None:
        self.population, self.rules, self.count, self.now = population, rules, count, now
        self.rng = random.Random(seed * 7919 + 11)
        self.start, self.days = replay_start(now), DAYS
        self.calendar = default_calendar()
        self.slots: dict[datetime, list[Callable[[], Awaitable[None]]]] = {}
        self.cursor = 0  # the last ingestion cursor the objection service's filings reached

    async def run(self, objection_channel: grpc.aio.Channel, ingestion: IngestionServiceStub) -> ObjectionTally:
        loop_started = asyncio.get_running_loop().time()
        self.stub = ObjectionServiceStub(objection_channel)
        clock = clock_pb2_grpc.ClockServiceStub(objection_channel)
        tally = ObjectionTally(since=cst_date(self.start), days=DAYS)
        disputes, listings = self._candidates()
        tally.eligible = len(disputes)
        cases = [_Case(f) for f in self.rng.sample(disputes, min(self.count, len(disputes)))]
        repairs = [_Case(f) for f in self._applicants(listings)]
        await self._record_ids(ingestion, cases + repairs)
        for case in cases:
            self._plan_objection(case, tally)
        for case in repairs:
            self._plan_repair(case, tally)
        gate = asyncio.Semaphore(AT_ONCE)

        async def limited(action):
            async with gate:
                await action()

        for at in sorted(self.slots):
            await clock.SetTime(clock_pb2.SetTimeRequest(now=timestamp(at)), timeout=10)
            await asyncio.gather(*(limited(action) for action in self.slots[at]))
        await clock.SetTime(clock_pb2.SetTimeRequest(now=timestamp(datetime.now(timezone.utc))), timeout=10)
        await self._read_back(cases, repairs, tally)
        tally.seconds = asyncio.get_running_loop().time() - loop_started
        return tally

    # --- what to object to --------------------------------------------------------------------

    def _candidates(self) -> tuple[list[Filing], list[Filing]]:
        lowest = {d: (self.rules.scale(d) or [""])[-1] for d in {f.department for f in self.population.filings}}
        removed = {(f.record.subject.SerializeToString(), f.record.list) for f in self.population.filings
                   if f.record.kind == common_pb2.RECORD_KIND_DISHONESTY_REMOVED}
        seen, disputes, listings = set(), [], []
        for f in self.population.filings:
            if f.received is None or f.received >= self.start:
                continue  # only records the suite held when the replay starts
            kind = common_pb2.RecordKind.Name(f.record.kind).removeprefix("RECORD_KIND_")
            subject = f.record.subject.SerializeToString()
            if kind == "DISHONESTY_LISTED" and (subject, f.record.list) not in removed:
                listings.append(f)
            elif kind in DISPUTED and subject not in seen and (kind != "INDUSTRY_RATING" or f.record.grade == lowest[f.department]):
                seen.add(subject)
                disputes.append(f)
        return disputes, listings

    def _applicants(self, listings: list[Filing]) -> list[Filing]:
        """Who applies for repair: mostly subjects whose serious listing is one to three years old
        (L-4 may admit them; L-3 has not ended it), and some who apply too early or too late."""
        today = cst_date(self.now)

        def age(f: Filing) -> int:
            d = f.record.decided_on
            return (today - date(d.year, d.month, d.day)).days

        likely = [f for f in listings if f.record.severity == common_pb2.SEVERITY_SERIOUS and 370 <= age(f) <= 1090]
        others = [f for f in listings if f not in likely]
        chosen = likely[:MAX_REPAIRS] + self.rng.sample(others, min(len(others), max(2, len(likely) // 3)))
        return chosen[:MAX_REPAIRS]

    async def _record_ids(self, ingestion: IngestionServiceStub, cases: list[_Case]) -> None:
        async def one(case: _Case) -> None:
            reply = await ingestion.ListSubjectRecords(pb.ListSubjectRecordsRequest(subject=case.filing.record.subject,
                                                                                    page_size=1000),
                                                       metadata=OPERATOR, timeout=30)
            case.record_id = next(r.record_id for r in reply.records if r.input.source_id == case.filing.record.source_id)

        for i in range(0, len(cases), 50):
            await asyncio.gather(*(one(c) for c in cases[i:i + 50]))

    # --- the plan: who does what when ---------------------------------------------------------

    def _at(self, day, hour: int) -> datetime | None:
        at = datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=CST).astimezone(timezone.utc)
        return at if at < self.now - timedelta(minutes=5) else None

    def _working_day(self, received, n: int):
        return self.calendar.add_working_days(received, n).day

    def _add(self, at: datetime, action: Callable[[], Awaitable[None]]) -> None:
        self.slots.setdefault(at.replace(minute=0, second=0, microsecond=0), []).append(action)

    def _plan_objection(self, case: _Case, tally: ObjectionTally) -> None:
        rng, record = self.rng, case.filing.record
        received = cst_date(self.start) + timedelta(days=rng.randrange(DAYS))
        filed_at = self._at(received, rng.randint(8, 20))
        if filed_at is None:
            return
        self._add(filed_at, lambda: self._object(case, tally))
        fate = rng.random()
        if fate >= 0.85:
            return  # left unanswered: open, or overdue once its deadline passes
        extend = rng.random() < 0.12
        answer_in = rng.randint(9, 14) if extend else (rng.randint(1, 6) if rng.random() < 0.82 else rng.randint(8, 12))
        if extend and (when := self._at(self._working_day(received, rng.randint(1, 4)), 10)):
            self._add(when, lambda: self._call(self.stub.ExtendDeadline(opb.ExtendDeadlineRequest(
                objection_id=case.objection_id, record_id=case.record_id,
                reason="the evidence must be checked with the port office"), metadata=_by(case.filing.department), timeout=30)))
        answered_at = self._at(self._working_day(received, answer_in), rng.randint(14, 17))
        if answered_at is None:
            return
        request = opb.AnswerObjectionRequest(record_id=case.record_id, reason="")
        if fate < 0.45:
            request.outcome, request.reason = opb.OUTCOME_UPHELD, "verified: the decision was annulled on review"
            scale = self.rules.scale(case.filing.department) or []
            if record.kind == common_pb2.RECORD_KIND_INDUSTRY_RATING and len(scale) > 1:
                request.correct.grade = scale[-2]
                request.reason = "verified: the rating was recomputed one grade up"
            else:
                request.withdraw = True
        else:
            request.outcome, request.reason = opb.OUTCOME_REJECTED, "verified against the case file: the decision stands"
        self._add(answered_at, lambda: self._answer(case, request))

    def _plan_repair(self, case: _Case, tally: ObjectionTally) -> None:
        rng = self.rng
        applied = self._at(cst_date(self.start) + timedelta(days=rng.randrange(DAYS - 2)), rng.randint(9, 18))
        if applied is None:
            return
        self._add(applied, lambda: self._apply(case, tally))
        fate = rng.random()
        if fate < 0.85:
            decided = self._at(self._working_day(cst_date(applied), rng.randint(2, 12)), 16)
            if decided is not None:
                outcome = opb.REPAIR_OUTCOME_APPROVED if fate < 0.6 else opb.REPAIR_OUTCOME_REJECTED
                reason = ("obligations verified as fulfilled" if fate < 0.6 else
                          "the fines are not yet paid in full")
                self._add(decided, lambda: self._decide(case, outcome, reason))

    # --- the calls ----------------------------------------------------------------------------

    async def _call(self, call) -> None:
        reply = await call
        cursor = reply.objection.record_cursor if hasattr(reply, "objection") else reply.repair.record_cursor
        self.cursor = max(self.cursor, int(cursor or 0))

    async def _object(self, case: _Case, tally: ObjectionTally) -> None:
        reply = await self.stub.FileObjection(opb.FileObjectionRequest(
            request_id=f"demo-{case.record_id}", subject=case.filing.record.subject, record_ids=[case.record_id],
            statement="the decision was annulled on administrative review", evidence=["review-decision.pdf"]),
            metadata=PORTAL, timeout=30)
        case.objection_id = reply.objection.objection_id
        self.cursor = max(self.cursor, int(reply.objection.record_cursor or 0))
        tally.filed += 1

    async def _answer(self, case: _Case, request: opb.AnswerObjectionRequest) -> None:
        if case.objection_id:
            request.objection_id = case.objection_id
            await self._call(self.stub.AnswerObjection(request, metadata=_by(case.filing.department), timeout=30))

    async def _apply(self, case: _Case, tally: ObjectionTally) -> None:
        tally.applied += 1
        try:
            reply = await self.stub.ApplyForRepair(opb.ApplyForRepairRequest(
                request_id=f"demo-{case.record_id}", subject=case.filing.record.subject, listing_record_id=case.record_id,
                commitment="I commit to abide by the customs laws and to accept supervision", obligations_fulfilled=True),
                metadata=PORTAL, timeout=30)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            tally.refused[_unmet(error.details())] += 1
            return
        case.repair_id = reply.repair.repair_id

    async def _decide(self, case: _Case, outcome: int, reason: str) -> None:
        if case.repair_id:
            await self._call(self.stub.DecideRepair(opb.DecideRepairRequest(repair_id=case.repair_id, outcome=outcome,
                                                                            reason=reason),
                                                    metadata=_by(case.filing.department), timeout=30))

    # --- the figures, read back ---------------------------------------------------------------

    async def _read_back(self, cases: list[_Case], repairs: list[_Case], tally: ObjectionTally) -> None:
        now = datetime.now(timezone.utc)
        token = ""
        while True:
            page = await self.stub.ListObjections(opb.ListObjectionsRequest(page_size=200, page_token=token),
                                                  metadata=OPERATOR, timeout=30)
            for objection in page.objections:
                tally.status[opb.ObjectionStatus.Name(objection.status).removeprefix("OBJECTION_STATUS_")] += 1
                for record in objection.records:
                    due = record.deadline.due.ToDatetime(tzinfo=timezone.utc)
                    tally.extended += bool(record.deadline.extension_reason)
                    if record.outcome:
                        tally.answered += 1
                        on_time = record.answered_at.ToDatetime(tzinfo=timezone.utc) <= due
                        tally.in_time += on_time
                        tally.late += not on_time
                    elif due < now:
                        tally.unanswered_overdue += 1
                    if record.filed_record_id:  # O-4: the owner's WITHDRAWAL or CORRECTION, filed by the service
                        tally.filed_by_owners += 1
                        tally.remedies["corrected" if record.kind == common_pb2.RECORD_KIND_INDUSTRY_RATING
                                       else "withdrawn"] += 1
            token = page.next_page_token
            if not token:
                break
        for case in repairs:
            if not case.repair_id:
                continue
            repair = (await self.stub.GetRepair(opb.GetRepairRequest(repair_id=case.repair_id), metadata=OPERATOR,
                                                timeout=30)).repair
            tally.repairs[opb.RepairStatus.Name(repair.status).removeprefix("REPAIR_STATUS_")] += 1
            tally.repair_records += len(repair.filed_record_ids)
            if repair.outcome:
                on_time = repair.decided_at.ToDatetime(tzinfo=timezone.utc) <= repair.deadline.due.ToDatetime(tzinfo=timezone.utc)
                tally.repairs_in_time += on_time
                tally.repairs_late += not on_time
            self.cursor = max(self.cursor, int(repair.record_cursor or 0))
        if tally.filed != sum(tally.status.values()):
            tally.problems.append(f"{tally.filed} objections filed, {sum(tally.status.values())} listed by the service")


def _unmet(details: str) -> str:
    """The L-4 condition a refused application did not meet, in a few words."""
    for words, label in (("admitted from", "listed less than a year before (L-4)"),
                         ("publicity period ended", "the listing had already ended (L-3)"),
                         ("new violation", "a new violation since the listing (L-4)"),
                         ("removed by", "already removed"), ("still open", "another application open")):
        if words in details:
            return label
    return details[:80]


__all__ = ["ObjectionTour", "replay_start"]
