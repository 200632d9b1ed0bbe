"""Constants of topic-alert matching, and where each value came from.

Measured with `newsbot eval alerts` on five labelled sets (AG News with its topics.json, with
the bare category names, and with other phrases written for the purpose; RealTime QA articles
labelled by URL section, nine broad and twelve narrow categories, with phrases written for
them: `bench/make_alert_sets.py`), plus topics absent from every set ("knitting",
"origami", ...) to count alerts that should never be sent. Values were chosen on the mean
over the five sets and the absent-topic alert rate, not on AG News alone.

Two routes send an alert:

- direct: the cosine between the topic (its best part) and the article's best chunk is at
  least `DIRECT_THRESHOLD` (the `ALERT_THRESHOLD` setting). Works with no corpus at all and
  catches a brand-new story on a topic the corpus has never seen.
- corpus: for a topic the recent corpus clearly covers (`SUPPORT_*`), the topic is grown
  into the corpus: background articles close to the phrase seed it, the seeds spread over
  the background's nearest-neighbour graph (label propagation), and a new article scores the
  average of its background neighbours. Each subscription gets its own cut-off, Otsu's split
  of its background scores. A plain phrase-to-article cosine cannot see that a baseball
  report is "sports"; its neighbours, already reached by the propagation, can.
"""

from __future__ import annotations

# Direct route: cosine of topic vs best chunk. Absent topics' best direct matches reached
# 0.40-0.49 over the evaluation sets; narrow real topics had their best F1 between 0.28 and
# 0.34. 0.45 alerts only on strong matches.
DIRECT_THRESHOLD = 0.45

# Background: the most recent articles of the corpus (one vector each: the mean of its chunks).
BACKGROUND_SIZE = 2000
MIN_BACKGROUND = 100  # below this the corpus route is off (too little to learn a topic from)
NEIGHBOURS = 10  # kNN graph degree and neighbours averaged for a new article

# Label propagation: F = ALPHA * (walk over the kNN graph) F + (1 - ALPHA) * seeds.
PROPAGATION_ALPHA = 0.8
PROPAGATION_STEPS = 20  # 0.8**20 ~ 0.01: converged for ranking

# Seeds: background articles whose cosine to the phrase is at least SEED_COSINE, weighted by
# their z-score against the background. Lower seeds (0.15) flooded absent topics with alerts
# (13 % of all articles); 0.25 lost 2-10 F1 points on broad topics.
SEED_COSINE = 0.2

# A topic is "covered" when at least SUPPORT_SHARE of the background (and SUPPORT_MIN
# articles) has cosine >= SUPPORT_COSINE. Real categories of all five sets had 1 % of their
# background at 0.32-0.59; invented absent topics 0.18-0.29.
SUPPORT_COSINE = 0.3
SUPPORT_SHARE = 0.01
SUPPORT_MIN = 5

# Floor of a corpus-route cut-off on the propagated score (a share of positive neighbours,
# 0..1): an Otsu split of a near-empty distribution never alerts.
MIN_CORPUS_SCORE = 0.05
