"""Constants of topic-alert matching, and where each value came from.

Measured with `bench/alert_ideas.py` (the `newsbot eval alerts` protocol) on five labelled
sets: AG News with its topics.json, with the bare category names, and with other phrases;
RealTime QA articles labelled by URL section, nine broad and twelve narrow categories, with
phrases written for them (`bench/make_alert_sets.py`). Two more figures guard against
fitting those sets: the share of items alerted to topics no set is about ("knitting",
"origami"...: should be ~0) and to 40 narrow topics a reader might follow ("golf majors",
"Afghanistan"...: each a small part of any corpus).

Two routes send an alert:

- direct: the cosine between the topic (its best part) and the article's best chunk is at
  least `DIRECT_THRESHOLD` (the `ALERT_THRESHOLD` setting). Works with no corpus at all and
  catches a strong match on a topic the corpus has never seen.
- corpus: for a topic the recent corpus clearly covers (`SUPPORT_*`), the topic is grown
  into the corpus: background articles close to the phrase seed it, the seeds spread over
  the background's nearest-neighbour graph (label propagation), and a new article scores the
  average of its background neighbours. Each subscription gets its own cut-off, Otsu's split
  of its background scores. A phrase-to-article cosine cannot see that a baseball report is
  "sports" (cosine ~0.15, like unrelated news); its neighbours, reached by the propagation,
  can. With a per-category oracle threshold the plain cosine reaches only 0.637 on AG News.

Known cost of the corpus route: it grows a topic to the corpus cluster around it, so a narrow
topic inside a broad cluster ("golf majors" among sports news) is sent much of that cluster
(10.7 % of all items on average for the 40 narrow topics, against 0.5 % by the direct route
alone). `MatchSettings(corpus_route=False)` turns it off (the bot's ALERT_CORPUS_ROUTE=false);
direct matching alone then does best on narrow topics near 0.35 (see DIRECT_THRESHOLD).

Guards that keep a route (or the outlet in the chunk header) from turning an unrelated
article into an alert. QA's cases: "elections" on the 301 bundled sample articles, then a
batch of 16 AG News items (none on elections), sent 7 of them (cricket, baseball...; scores
down to -0.07); "Boeing aircraft" was sent a bakery item from "Example Aviation News". Each
guard is a cause found there:

- the article's own relevance: every alert, whatever its route, needs the cosine of the topic
  to the article (best chunk, without the outlet) of at least MIN_DIRECT_SCORE; the corpus
  route vouched for articles pointing away from the topic;
- flooding: "elections" claimed 58 % of that small general background (label propagation
  with one label has nothing to stop it), so every article whose neighbours were general
  news scored high; a profile past MAX_CORPUS_SHARE is no topic, the direct route alone serves;
- self-vouching: a new article is among the newest, of which the background is made; it was
  its own nearest neighbour (`alert_background.neighbourhood` now skips it);
- outside the corpus: an article the indexed news does not cover has "neighbours" that are
  merely the least far; the corpus route vouches only for articles inside (INSIDE_PERCENTILE);
- the outlet: the indexer embeds "Title (Outlet, date)" in front of every chunk, so an outlet
  named like a topic pulls every item it publishes toward it (the bakery: cosine 0.18 with the
  outlet, 0.003 without). With the model at hand, the matcher embeds each candidate's best
  chunk again as title + passage and decides on that cosine (`alert_rescore`).

All together, `newsbot eval alerts`, macro-F1 before -> after: AG News 0.804 -> 0.798 (P 0.782
-> 0.788, R 0.858 -> 0.837), AG News with the category names 0.576 -> 0.575, rephrased 0.829
-> 0.828, RealTime QA sections 0.644 -> 0.642, narrow 0.878 -> 0.875 (these two put every
item in the background, so it was vouching for itself). Share of AG News items alerted to
the 40 narrow topics 10.7 % -> 10.2 %; QA's cases: 0 alerts.

Narrow and named topics (the lexical guard, `alert_lexicon`, ANCHOR_PRECISION). QA's stream
(`bench/alert_stream.py`: 300 RealTime QA articles of Sep-Nov 2022 indexed in 3 batches,
the background the articles indexed so far, as in the bot; alerts judged by reading the
articles): "Apple" was sent 17 articles, none on Apple (Twitter blue ticks, Meta layoffs);
"Madison Cawthorn primary", a name the stream never mentions, 51 (every election story);
"North Korea missiles" 33 for 7 on it (Starbucks cups at 0.068); in all 271 alerts to 11
topics, 77 about their topic (28 %). Nearly all the wrong ones came through the corpus route,
which grows a topic to the cluster around it: on that stream, 72 of the direct route's 81
alerts were right, 5 of the corpus route's 190 (21 with the guard, the same 5). What was
measured, each idea alone (five-set macro-F1: AG News / sections / narrow / names /
rephrased, mean; share of items alerted to the absent and to the 40 narrow topics; stream):

- no guard (before): 0.798 / 0.643 / 0.874 / 0.575 / 0.828, mean 0.7436; absent 0.9 %,
  narrow 10.2 %; stream 271 alerts, 77 on their topic (28 %).
- broad or narrow from embedding statistics alone: per topic, the background articles at
  the direct threshold, at 0.3, the mean of the 10 best cosines, the cluster's share. The
  worst cases look like categories on every one of them: "Apple" and "Cawthorn" have no
  article at 0.45 and clusters of 10 % and 48 % of the stream's background, as "sports"
  (1 article at 0.45, 22 %) on AG News. No gate on them can tell the two apart: not kept.
- word rarity alone (document frequency): "sports" is in 2.5 % of AG News, "science" in
  1.8 %, "Apple" in 0.9 %, "Korea" in 1.1 %: no cut between categories and names.
- relative floors (a corpus-route alert needs f x the mean of the topic's 10 best
  background cosines): stream 46 % (f 0.5), 65 % (0.8); AG News 0.790 (0.2), 0.754 (0.3),
  0.550 (0.5): a category's articles are far below its best ones. Not kept.
- the lexical guard: a topic word is an anchor when the background articles holding it
  are the topic's nearest (R-precision above chance, see `alert_lexicon`), or when no
  background article holds it; a topic with anchors is sent corpus-route alerts only for
  articles naming one. Anchors at 0.3 / 0.4 / 0.5 / 0.6 / 0.7: mean 0.6549 (rephrased
  "athletes" becomes an anchor: 0.398) / 0.7397 (sections 0.620) / 0.7427 / 0.7449 /
  0.7447; narrow share 3.4 / 4.1 / 5.7 / 6.8 / 8.5 %; absent 0.7 % each; stream at 0.4 /
  0.5: 75 %, at 0.6: 48 % ("Korea", "Apple", "inflation" no longer anchors), at 0.7: 41 %.
  R-precision without the chance correction made "home" and "record" anchors of "Aaron
  Judge home run record" (in a third of the stream: 23 alerts instead of 11) and needed
  a cap on frequency that left "Ukraine" (14 %) and "inflation" (16 %) unguarded. Kept at
  0.5: AG News 0.798, sections 0.643, narrow 0.870, names 0.575, rephrased 0.828 (mean
  0.7427); narrow share 10.2 % -> 5.7 %, absent 0.9 % -> 0.7 %; stream 271 -> 102 alerts,
  77 -> 77 on their topic (28 % -> 75 %), no article on a topic lost: "Apple" 17 -> 4 (all
  four name Apple in passing), "Madison Cawthorn primary" 51 -> 0, "North Korea missiles"
  33 -> 11 (7 on it), "inflation" 49 -> 21 (11), "Ukraine war" 39 -> 17 (16), and five
  narrow topics chosen before the change: "Aaron Judge home run record" 29 -> 11 (8),
  "Loretta Lynn" 8 -> 5 (5), "Powerball jackpot" 24 -> 12 (10), "Paul Pelosi attack" 9
  -> 9 (9), "Iran protests" 12 -> 12 (11).
The guard needs the background's texts (`build_background(..., texts=)`); without them no
topic has anchors and matching is as before. Indexing the words of 2,000 long articles
takes ~2 s per background rebuild.

A topic named only in passing (tenth session). With the guard, "Apple" still got 4 alerts
on QA's stream, each a Meta or Silicon Valley story naming Apple in one sentence. Each idea
alone (`bench/alert_stream.py`, now built from the corpus: alerts, about their topic, the
judged on-topic alerts lost; `newsbot eval alerts` on AG News; `bench/alert_ideas.py`'s
shipped row: five-set mean, rtqa-narrow):

- as shipped: stream 102, 77, -; AG News 0.798; mean 0.7062, narrow 0.870. (The mean was
  0.7427 when the guard landed: since `named_words`, "sci" of the bare "Sci/Tech" is a
  whole word that no background article holds, so an anchor, and that topic's corpus route
  needs it: agnews-names 0.575 -> 0.393.)
- an anchored topic's corpus-route hit names an anchor in its title, its first two
  paragraphs of 8 words or more, or twice: stream 91, 75 ("Apple" 4 -> 0, five inflation
  asides gone; lost a mortgage-rate report naming inflation once and a round-up's quiz
  question on Powerball); AG News 0.798; mean 0.6991 (sections 0.637, narrow 0.840). No.
- the anchor named in the matched chunk (the article's chunk nearest the topic): stream
  95, 75 ("Apple" 4 -> 3; lost a round-up whose inflation section is not its nearest chunk,
  and the Powerball quiz). Not run on the sets: it lost on the stream. No.
- the direct route's hits of an anchored topic must name an anchor too (anchors some
  background article holds, so a typo does not silence a topic): stream 99, 77 (three
  direct hits naming no anchor gone, "Apple" unchanged); AG News 0.798; mean 0.7035
  (narrow 0.857: a narrow topic's articles need not name its word). No.
- the sentence naming the anchor must be near the topic (cosine >= 0.45, read off the
  stream's alerts, not built): the Apple sentences score 0.35-0.51, the on-topic asides
  0.44-0.90 (Ukraine's Iran-drones paragraph 0.436). No.
None kept: the words that tell an aside from a story ("privacy changes implemented by
Apple") are not in counts or places of the anchor, and a word list would not generalise.

Words the one naming rule (`named_words`) got wrong (tenth session). Five-set F1 of the
shipped row (AG News / sections / narrow / names / rephrased, mean) before `named_words`:
0.798 / 0.643 / 0.870 / 0.575 / 0.828, 0.7427; as shipped: 0.798 / 0.643 / 0.870 (0.86974)
/ 0.393 / 0.828, 0.7062. Each idea alone, then both; AG News eval 0.798 and the stream's
102 alerts, 77 on their topic, unchanged by each (the same alerts):

- an abbreviation anchors nothing: a short word no background article holds whole but that
  begins words of as many articles as make a topic covered (SUPPORT_MIN, SUPPORT_SHARE) is
  not "a word the news never names" (`alert_lexicon`). "sci" of "Sci/Tech": whole in none
  of AG News's 2,000, beginning words in 35 ("science": its articles are not the topic's
  nearest, 0.07 above chance by their beginning, so comparing it by its beginning would not
  anchor it either; no short word of the sets would). Names 0.393 -> 0.575, mean 0.7426.
  The naming rule is unchanged, so the Why line and the reason sentence agree with the
  guard (the Why of a science article names no "Sci": none is written); comparing "sci" by
  its beginning there would need the background at delivery, which the Why line has not.
  Short words the news does not write nor begin ("BTS"), or begins in a few articles only
  ("Xi": "Xinhua" in 4), still anchor. Kept.
- a word in -ie names the plural in -ies: "movies" had the key "movy" (as "cities" has
  "city"), which "movie" did not name: rtqa-narrow's "movies and film", anchored by it,
  turned away articles saying "movie" only. Narrow 0.86974 -> 0.87101, mean 0.7064. Kept.
- both: 0.798 / 0.643 / 0.871 / 0.575 / 0.828, mean 0.7429; absent 0.7 %, narrow share
  6.0 % (5.7 % before `named_words`, likely from "interest rates": its key is now "rat",
  named by "ratings" too, at 0.490 just under the anchor precision; "rate" was an anchor).
Not fixed: "inflatable" names "inflation" (both begin "infla"; on the stream one wrong
corpus alert, a round-up naming a NASA inflatable heat shield). Letters cannot tell it from
"economic" naming "economy" or "scientists" "science" without a word list; not measured.

Four-letter words in -e (tenth session). `light_stem` drops a final e after the plural
and -ing/-ed, so a four-letter word in -e became a three-letter whole key that other words
name: "rates" -> "rat" (named by "rats", "ratings"), "wine" -> "win" ("wins"), "aides" ->
"aid", "care" -> "car", "site" -> "sit", "pope" -> "pop", "lose" -> "los" ("Los Angeles"),
"pace" -> "pac" ("PACs"): some 70 keys shared with a real three-letter word on AG News and
RealTime QA. Each idea alone (five-set F1 AG News / sections / narrow / names / rephrased,
mean; absent share; narrow share; AG News eval; stream alerts, about their topic):

- as shipped: 0.798 / 0.643 / 0.871 / 0.575 / 0.828, 0.7429; 0.7 %; 6.0 %; 0.798; 102, 77.
- both sides: a final e is dropped only when more than three letters remain (and "taxes"
  loses its -es, so it stays "tax"). "interest rates" anchors again ("rate" 0.602; AG News
  items sent 17.4 % -> 1.0 %), narrow share 5.7 %, AG News and stream unchanged; but "care"
  no longer names "car", which becomes an anchor of rtqa-narrow's "cars and the auto
  industry" (0.316 -> 0.519), and the guard turns away 10 of its articles that say only
  "vehicles", "automaker" (Cars F1 0.930 -> 0.816): narrow 0.861, mean 0.7410. No.
- the topic side only: a topic word is whole when it has three letters or fewer once
  uninflected ("rates" is "rate", compared by its beginning like "golf"; "racing" stays
  "rac"); an article word still names its light stem ("race" names "racing", and "care"
  "car"). 0.798 / 0.643 / 0.871 / 0.575 / 0.828, mean 0.7429; absent 0.7 %; narrow share
  6.0 % -> 5.7 % (only "interest rates" moved, 17.4 % -> 1.0 % of AG News; "video games"
  and "retail sales", now "game" and "sale", kept theirs); AG News 0.798; stream the same
  102 alerts, 77 on topic. Kept.
Costs left: a topic "votes" is no longer named by "voting" (nor "hikes" by "hiking", "rules"
by "ruling": as "rating", the -ing form of a four-letter word in -e is a whole word), and
"buses", "gases" are compared as "buse", "gase"; an article's "care", "aides", "wines" still
name "car", "aid", "win" (the first is what the "cars" topic's recall rests on, see above).

Review mends of both (tenth session). (1) "Every article word in -ie names its -y form" also
named "July" by "Julie", "Eddy" by "Eddie", "Katy" (of "Katy Perry") by "Katie". Now a
plural in -ies of a stem under five letters is keyed as that plural ("movies", "cities",
"rookies"; "companies" keeps "compa"), a key no word's beginning is, named by an article
word whose -y, -ie or -ies stands on that stem ("movie", "city", "rookie"); a word in -ie
names no -y word. Its cost: such a plural is no longer named by a longer word on its -y
("cities" by "citywide"), and is named by a name in -ie ("Carrie" names "carries").
(2) "Begins words of enough articles" made "ira" an abbreviation where the news never writes
"IRA" alone (RealTime QA sections: Iran 11, Iraq 11 of 21 articles), "gaz" by "Gaza", "oz"
by "ozone", "Ozark", "Ozzie": "IRA tax credits" and "Dr Oz" lost their anchor. Now most of
those articles must also share one five-letter key (the word it stands for, written out):
"sci" does ("scien" 35 of 35 on AG News); "ira" ("irani" 6 of 21), "gaz", "oz" do not. Of
the 2,000 AG News background articles' short keys no article holds whole, 406 passed the
count and 161 pass both. Each alone and both: 0.798 / 0.643 / 0.871 / 0.575 / 0.828, mean
0.7429; absent 0.7 %; narrow share 5.7 %; AG News eval 0.798; stream the same 102 alerts,
77 on topic (no topic of the sets has a word either rule changes the naming of; rtqa-narrow's
"movies", rekeyed, is still named by "movie": narrow stays 0.871, not 0.870). Kept.

Inflections, not beginnings (eleventh session, `named_words`): a longer topic word is named
by its inflections and by the whole word with a suffix ("Korean", "inflationary"; a final e
or y gives way once six letters remain: "Ukrainian", "economic"), the e an -ing/-ed dropped
is put back ("voting" names "votes"), -es after a sibilant is a plural ("viruses"); five
shared letters no longer name ("inflatable" "inflation", "electronics" "elections").
Letters cannot tell "medical" from "inflatable", so the anchors try a long word's
beginnings, longest first, down to five letters, and anchor by the longest whose articles
are the topic's nearest (`alert_lexicon`). Five-set mean 0.74327 -> 0.74327; AG News 0.7983
-> 0.7983; stream 102 / 77 -> 102 / 77 (the inflatable alert gone, a Ukraine article for
"North Korea missiles" come). Whole words with no beginning search: mean 0.6973. Kept.
"""

from __future__ import annotations

# Direct route: cosine of topic vs best chunk. Absent topics' best direct matches reached
# 0.40-0.49 over the evaluation sets; with the corpus route on, 0.40-0.50 change macro-F1 by
# at most 0.004 except on the narrow set (0.35: -0.04). Alone (no corpus route), 0.35 is the
# best value for narrow topics (F1 0.80 on the narrow set) but misses broad ones entirely.
DIRECT_THRESHOLD = 0.45

# Background: the most recent articles of the corpus (one vector each: the mean of its chunks).
# (Measured with alpha 0.8:) 1,000-3,000 gave the same AG News figures, 5,000 lowered them
# (0.78 -> 0.75): the kNN graph of a larger background is finer than the topics it spreads over.
BACKGROUND_SIZE = 2000
MIN_BACKGROUND = 100  # below this the corpus route is off (too little to learn a topic from)
# kNN graph degree, and neighbours averaged for a new article. (Alpha 0.8:) 5 lost 0.03 on AG
# News; 20 gained 0.02 there but lost 0.03 on the narrow set.
NEIGHBOURS = 10

# Label propagation: F = ALPHA * (walk over the kNN graph) F + (1 - ALPHA) * seeds, a fixed
# number of steps. 0.8-0.9 tie on the five-set mean; 0.9 is the usual choice of the label
# propagation literature and the better one on AG News (0.804 against 0.780).
PROPAGATION_ALPHA = 0.9
PROPAGATION_STEPS = 20

# Seeds: background articles whose cosine to the phrase is at least SEED_COSINE, weighted by
# their z-score against the background. 0.15: absent topics stay at 1 %, narrow topics grow
# (13.6 %). 0.25: better on the RealTime QA sets (+0.056 sections, +0.02 narrow) and less
# narrow growth (7.3 %) but AG News at 0.793 +- 0.014 over background samples, under the
# 0.80 target; 0.2 gives 0.804 +- 0.011 and is shipped.
SEED_COSINE = 0.2

# A topic is "covered" when at least SUPPORT_SHARE of the background (and SUPPORT_MIN
# articles) has cosine >= SUPPORT_COSINE. Without this gate, absent topics were sent 6 % of
# all items; with it 0.9 %. Its price: the bare phrase "World" (AG News names set) is not
# covered (macro-F1 of that set 0.77 -> 0.58).
SUPPORT_COSINE = 0.3
SUPPORT_SHARE = 0.01
SUPPORT_MIN = 5

# Floor of a corpus-route cut-off on the propagated score (a share of positive neighbours,
# 0..1): an Otsu split of a near-empty distribution never alerts.
MIN_CORPUS_SCORE = 0.05

# Floor of every alert: cosine of the topic (best part) to the article's best chunk, embedded
# without the outlet. Never below 0: an article pointing away from the topic is never sent.
# Corpus-route hits by their direct cosine (AG News): true ones 5 % below 0.081, false ones 5 %
# below 0.051. Floor 0 / 0.05 / 0.10 (other guards off): mean macro-F1 of the five sets 0.7463
# / 0.7456 / 0.7381 (0.7461 without), AG News 0.804 / 0.799 / 0.780. A floor high enough to
# stop QA's "elections" case alone (0.14) takes AG News to about 0.71: the other guards do it.
# Floors that adapt to the topic (the "floor:" rows of bench/alert_ideas.py: z-scores and
# percentiles of the topic's cosines to the background, inside or outside its cluster, a
# fraction of its best matches, a floor rising with the cluster's share) gain at most 0.001
# on the five-set mean (0.7435), each trading AG News recall for RealTime QA precision.
# QA's "Ukraine war" flood (1,304 of 3,767 RealTime QA articles, down to 0.05) came from a
# stale background: 300 Wikinews samples + the first 189 articles, kept while 3,600 more were
# indexed; there its cluster held 38 % of the background (5 % on a background of the news
# being matched, where it alerts nothing under 0.23). The cure is a fresh background: the
# bot's matcher rebuilds it as the index grows (BACKGROUND_REBUILD_GROWTH).
MIN_DIRECT_SCORE = 0.05

# Inside the corpus: an article's mean cosine to its NEIGHBOURS background articles must reach
# this percentile of the background articles' own (each to its nearest others). Mean
# macro-F1 of the five sets (narrow set): 1: -0.001 (-0.002); 2: -0.003 (-0.006); 5: -0.008
# (-0.015).
INSIDE_PERCENTILE = 1.0

# Candidates re-scored without the outlet: the direct route's within this of its threshold
# (and the corpus route's within this of the floor). On RealTime QA (CNN, USA Today, The Week)
# the outlet moves a best-chunk cosine by -0.03..+0.025 (1st-99th percentile).
RESCORE_MARGIN = 0.05

# Flooding: a covered topic whose profile (after self-training) claims more than this share
# of the background is not covered (direct route only). Largest share of any other topic
# measured: 0.46 (AG News, "business, companies and markets"), 0.44 (the 40 narrow topics on
# AG News), 0.35 (RealTime QA); QA's "elections": 0.58. Macro-F1 unchanged on the five sets.
MAX_CORPUS_SHARE = 0.5

# Lexical guard of the corpus route (`alert_lexicon`): a topic word is an anchor when the
# background articles holding it are among the topic's nearest (R-precision, above chance)
# at least this much; a topic with anchors gets corpus-route alerts only for articles naming
# one. 0.4 costs RealTime QA sections 0.023, 0.3 makes "athletes" an anchor of a sports
# phrase; 0.6 lets "Apple", "Korea", "inflation" through on QA's stream (see above).
ANCHOR_PRECISION = 0.5
