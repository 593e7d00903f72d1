"""Daily digests: schedules, feeds, story clustering, story briefs, continuity, rendering, delivery."""
