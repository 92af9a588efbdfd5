"""Shapes DESIGN.md fixes for the JSON output, written out once for the tests that check them.

Import as ``from _design import SUMMARY_KEYS`` (pytest puts this folder on sys.path).
"""

#: Keys of a session summary in the JSON output.
SUMMARY_KEYS = frozenset(
    {
        "duration_s",
        "n_samples",
        "sampling_rate_hz",
        "placement",
        "n_strides",
        "n_steps",
        "cadence_spm",
        "walking_time_s",
        "n_bouts",
        "mean_stride_time_s",
        "stride_time_cv",
        "n_gaps",
        "samples_lost",
        "backward_share",
        "distance_m",
        "mean_speed_m_s",
        "kcal_gross",
        "kcal_net",
        "met_basis",
        # per direction and bouts, from the energy stage (issue 21)
        "time_forward_s",
        "time_backward_s",
        "distance_forward_m",
        "distance_backward_m",
        "backward_time_share",
        "kcal_forward",
        "kcal_backward",
        "kcal_backward_extra",
        "strike_mix_forward",
        "strike_mix_backward",
        "mass_kg",
        "direction_bouts",
    }
)
