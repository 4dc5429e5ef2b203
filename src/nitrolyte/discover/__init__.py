"""Discovery campaigns: propose nitride electrolytes in chemical spaces, judge them stage by stage
(structure, hull, window, air, Li transport, the review's targets), and prove the method by
re-finding known phases (:mod:`.backtest`). See docs/discover.md."""
