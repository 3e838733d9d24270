"""A realistic synthetic population for ``secondline demo``, and a day of crossings.

The population is what the suite would hold after a few years in service: business entities
(with valid unified social credit codes, S-2) and individuals (resident identity numbers with
real birth dates, S-3, and some passports and travel permits), and the departments' records
about them in plausible proportions: nearly every company has a tax credit rating, many a
market-regulation, transport or customs rating; a few percent are AEO-certified; a few have
been penalised for smuggling, rated at the bottom of a scale, listed as seriously dishonest or
put under a risk alert. Most individuals have no record at all.

Every record is one its department may file (R-1, from ``rules.yaml``), with a grade on the
department's own scale (R-6), decided on a date not after today (CST). Each record also has the
day it reached the suite: most within the 15-day deadline of R-5, a few late. Records that
reached the suite before today are history, migrated with their receipt instants
(``BackfillRecords``); the others are filed today by the departments (``SubmitRecords``).

Then the crossings: one day at the ten second-line ports (M-0), with each port's traffic
(ro-ro freight and passengers at the Haikou ports, cargo at Yangpu and Basuo, travellers at the
airports), hours of the day weighted by traffic, companies crossing as often as their size
says, with their own drivers.

Everything is drawn from one seeded ``random.Random``: the same seed and date give the same
population and the same crossings.
"""

from __future__ import annotations

import random
from datetime import datetime

from secondline.dates import cst_date
from secondline.rules_config import RuleVersion

from secondline.cli.demo.subjects import Filing, Population, Probe, Maker
from secondline.cli.demo.records import make_probes, Records
from secondline.cli.demo.crossings import PORTS, generate_crossings

__all__ = ["PORTS", "Filing", "Population", "Probe", "describe", "generate_crossings", "generate_population"]


def generate_population(subjects: int, *, seed: int, now: datetime, rules: RuleVersion, probes: int = 20) -> Population:
    """About ``subjects`` subjects (two in five business entities) and their records as of ``now``."""
    rng = random.Random(seed)
    today = cst_date(now)
    make = Maker(rng, today)
    n_enterprises = max(10, subjects * 2 // 5)
    n_individuals = max(10, subjects - n_enterprises)
    enterprises = [make.uscc() for _ in range(n_enterprises)]
    workers = [make.resident_id(youngest=21, oldest=62) for _ in range(n_individuals // 4)]
    n_travellers = n_individuals - len(workers)
    foreign = n_travellers // 12
    travellers = ([make.resident_id(youngest=2, oldest=85) for _ in range(n_travellers - foreign)]
                  + [make.travel_document() for _ in range(foreign)])
    population = Population(today=today, enterprises=enterprises, individuals=workers + travellers,
                            filings=[], probes=[])
    records = Records(rng, now, rules)
    for key in enterprises:
        records.enterprise(key)
    for key in workers:
        records.individual(key, worker=True)
    for key in travellers:
        records.individual(key, worker=False)
    population.filings = records.filings

    # Who crosses how often: a few large companies and logistics firms cross all day.
    for key in enterprises:
        weight = min(rng.paretovariate(1.3), 60.0)
        weight *= 4.0 if key in records.aeo else 1.0
        weight *= 3.0 if key in records.logistics else 1.0
        population.enterprise_weights.append(weight)
        population.staff[key] = rng.sample(workers, k=min(len(workers), rng.choice((1, 1, 2, 2, 3, 4, 6))))
    population.travellers = travellers + workers
    population.traveller_weights = [min(rng.paretovariate(2.0), 20.0) for _ in population.travellers]
    # The probes are new on every run (drawn from the clock, not the seed), so that a second run on
    # the same data folder still files records about subjects the suite has never heard of.
    make.rng = random.Random(now.timestamp())
    population.probes = make_probes(make, records, probes, run=f"{now:%H%M%S}")
    return population


def describe(population: Population) -> str:
    kinds = population.kinds()
    departments = len({d for d, _ in kinds})
    foreign = sum(":" in key for key in population.individuals)
    return (f"Population: {population.subjects:,} subjects ({len(population.enterprises):,} business entities, "
            f"{len(population.individuals):,} individuals of whom {foreign:,} travel on a passport or permit); "
            f"{len(population.filings):,} records from {departments} departments about "
            f"{len(population.filed_subjects()):,} of them")
