// The dimmable lamp's device profile as a `profiles:` item of a normalize config (the
// same content as deploy/profiles/dimmable-lamp.yaml), for tests and benchmarks that
// write node configs.
#pragma once

namespace itc::testing {

inline constexpr const char* kLampProfileYaml = R"(
        - name: dimmable-lamp
          metrics:
            - {name: power, raw_metric: power_mw, unit: W, scale: 0.001, min: 0, max: 15}
            - {name: temperature, raw_metric: temperature_dc, unit: degC, scale: 0.1, min: -20, max: 85}
            - {name: dim, raw_metric: dim_pct, unit: "%", min: 0, max: 100}
            - {name: "on", raw_metric: "on", unit: "", min: 0, max: 1}
            - {name: occupancy, raw_metric: occupancy, unit: persons, min: 0, max: 50}
            - {name: fault, raw_metric: fault, min: 0, max: 1, is_fault_flag: true}
)";

}  // namespace itc::testing
