{#- The scoring model product-led-scoring, compiled by campc (see ../../product-led-scoring.md). Do not edit: change the spec and run campc build. -#}
{{ config(materialized='table') }}
{%- if target.type == 'duckdb' %}
WITH params AS (
  SELECT
    DATE_DIFF('DAY', CAST('1970-01-01' AS DATE), CAST({{ campc_as_of() }} AS DATE)) AS as_of_day
), lead_events AS (
  SELECT
    e.lead_id,
    e.event_type,
    p.as_of_day - CAST(FLOOR(EPOCH(e.occurred_at) / 86400) AS BIGINT) AS age_days
  FROM {{ source('campc', 'events') }} AS e
  CROSS JOIN params AS p
  WHERE
    p.as_of_day - CAST(FLOOR(EPOCH(e.occurred_at) / 86400) AS BIGINT) >= 0
), behaviour_raw AS (
  SELECT
    lead_id,
    CASE
      WHEN MIN(CASE WHEN event_type = 'billing_viewed' THEN age_days ELSE NULL END) IS NULL
      THEN 0
      ELSE 10
    END AS c_billing
  FROM lead_events
  GROUP BY
    lead_id
), numbered_0 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE) / 1.0) ORDER BY age_days) AS rn
  FROM lead_events
  WHERE
    event_type = 'feature_used'
), limited_0 AS (
  SELECT
    lead_id,
    CASE
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) > 30
      THEN 30
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) < -30
      THEN -30
      ELSE ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2)
    END AS c_features
  FROM numbered_0
  WHERE
    rn <= 2
  GROUP BY
    lead_id
), numbered_1 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE) / 7.0) ORDER BY age_days) AS rn
  FROM lead_events
  WHERE
    event_type = 'invite_sent'
), limited_1 AS (
  SELECT
    lead_id,
    ROUND(SUM(CASE WHEN event_type = 'invite_sent' THEN 5 ELSE 0 END), 2) AS c_invites
  FROM numbered_1
  WHERE
    rn <= 3
  GROUP BY
    lead_id
), parts AS (
  SELECT
    l.lead_id,
    CASE
      WHEN CASE
        WHEN REGEXP_MATCHES(CAST(l.seats AS TEXT), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$')
        THEN CAST(CAST(l.seats AS TEXT) AS DOUBLE)
        ELSE NULL
      END BETWEEN 5.0 AND 49.0
      THEN 10
      ELSE 0
    END AS c_team_size,
    CASE
      WHEN CASE
        WHEN REGEXP_MATCHES(CAST(l.seats AS TEXT), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$')
        THEN CAST(CAST(l.seats AS TEXT) AS DOUBLE)
        ELSE NULL
      END > 49.0
      THEN 25
      ELSE 0
    END AS c_large_team,
    CASE WHEN NOT CAST(l.plan AS TEXT) IN ('free') THEN 15 ELSE 0 END AS c_paying,
    CASE WHEN CAST(l.verified AS TEXT) = 'true' THEN 5 ELSE 0 END AS c_verified,
    COALESCE(r0.c_features, 0) AS c_features,
    COALESCE(r1.c_invites, 0) AS c_invites,
    COALESCE(b.c_billing, 0) AS c_billing,
    0 AS disqualified
  FROM {{ source('campc', 'leads') }} AS l
  LEFT JOIN behaviour_raw AS b
    ON b.lead_id = l.lead_id
  LEFT JOIN limited_0 AS r0
    ON r0.lead_id = l.lead_id
  LEFT JOIN limited_1 AS r1
    ON r1.lead_id = l.lead_id
), totals AS (
  SELECT
    *,
    CASE
      WHEN (
        c_team_size + c_large_team + c_paying + c_verified
      ) IS NULL OR 40 IS NULL
      THEN NULL
      ELSE LEAST(c_team_size + c_large_team + c_paying + c_verified, 40)
    END AS fit,
    ROUND(
      CASE
        WHEN (
          c_features + c_invites + c_billing
        ) IS NULL OR 50 IS NULL
        THEN NULL
        ELSE LEAST(c_features + c_invites + c_billing, 50)
      END,
      2
    ) AS behaviour
  FROM parts
), scored AS (
  SELECT
    *,
    ROUND(
      CASE
        WHEN (
          fit + behaviour
        ) IS NULL OR 90 IS NULL
        THEN NULL
        ELSE LEAST(fit + behaviour, 90)
      END,
      2
    ) AS total
  FROM totals
)
SELECT
  lead_id,
  fit,
  behaviour,
  total,
  NULL AS grade,
  CASE
    WHEN disqualified = 1
    THEN 'disqualified'
    WHEN total >= 70
    THEN 'sql'
    WHEN total >= 40
    THEN 'mql'
    ELSE 'none'
  END AS stage,
  c_team_size,
  c_large_team,
  c_paying,
  c_verified,
  c_features,
  c_invites,
  c_billing
FROM scored
ORDER BY
  lead_id
{%- elif target.type == 'postgres' %}
WITH params AS (
  SELECT
    CAST(EXTRACT(epoch FROM CAST(CAST({{ campc_as_of() }} AS DATE) AS TIMESTAMP) - CAST(CAST('1970-01-01' AS DATE) AS TIMESTAMP)) / 86400 AS BIGINT) AS as_of_day
), lead_events AS (
  SELECT
    e.lead_id,
    e.event_type,
    p.as_of_day - CAST(FLOOR(CAST(DATE_PART('epoch', e.occurred_at) AS DOUBLE PRECISION) / 86400) AS BIGINT) AS age_days
  FROM {{ source('campc', 'events') }} AS e
  CROSS JOIN params AS p
  WHERE
    p.as_of_day - CAST(FLOOR(CAST(DATE_PART('epoch', e.occurred_at) AS DOUBLE PRECISION) / 86400) AS BIGINT) >= 0
), behaviour_raw AS (
  SELECT
    lead_id,
    CASE
      WHEN MIN(CASE WHEN event_type = 'billing_viewed' THEN age_days ELSE NULL END) IS NULL
      THEN 0
      ELSE 10
    END AS c_billing
  FROM lead_events
  GROUP BY
    lead_id
), numbered_0 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (
      PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE PRECISION) / 1.0)
      ORDER BY age_days
    ) AS rn
  FROM lead_events
  WHERE
    event_type = 'feature_used'
), limited_0 AS (
  SELECT
    lead_id,
    CASE
      WHEN ROUND(CAST(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END) AS DECIMAL), 2) > 30
      THEN 30
      WHEN ROUND(CAST(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END) AS DECIMAL), 2) < -30
      THEN -30
      ELSE ROUND(CAST(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END) AS DECIMAL), 2)
    END AS c_features
  FROM numbered_0
  WHERE
    rn <= 2
  GROUP BY
    lead_id
), numbered_1 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (
      PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE PRECISION) / 7.0)
      ORDER BY age_days
    ) AS rn
  FROM lead_events
  WHERE
    event_type = 'invite_sent'
), limited_1 AS (
  SELECT
    lead_id,
    ROUND(CAST(SUM(CASE WHEN event_type = 'invite_sent' THEN 5 ELSE 0 END) AS DECIMAL), 2) AS c_invites
  FROM numbered_1
  WHERE
    rn <= 3
  GROUP BY
    lead_id
), parts AS (
  SELECT
    l.lead_id,
    CASE
      WHEN CASE
        WHEN CAST(l.seats AS VARCHAR) ~ '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$'
        THEN CAST(CAST(l.seats AS VARCHAR) AS DOUBLE PRECISION)
        ELSE NULL
      END BETWEEN 5.0 AND 49.0
      THEN 10
      ELSE 0
    END AS c_team_size,
    CASE
      WHEN CASE
        WHEN CAST(l.seats AS VARCHAR) ~ '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$'
        THEN CAST(CAST(l.seats AS VARCHAR) AS DOUBLE PRECISION)
        ELSE NULL
      END > 49.0
      THEN 25
      ELSE 0
    END AS c_large_team,
    CASE WHEN NOT CAST(l.plan AS VARCHAR) IN ('free') THEN 15 ELSE 0 END AS c_paying,
    CASE WHEN CAST(l.verified AS VARCHAR) = 'true' THEN 5 ELSE 0 END AS c_verified,
    COALESCE(r0.c_features, 0) AS c_features,
    COALESCE(r1.c_invites, 0) AS c_invites,
    COALESCE(b.c_billing, 0) AS c_billing,
    0 AS disqualified
  FROM {{ source('campc', 'leads') }} AS l
  LEFT JOIN behaviour_raw AS b
    ON b.lead_id = l.lead_id
  LEFT JOIN limited_0 AS r0
    ON r0.lead_id = l.lead_id
  LEFT JOIN limited_1 AS r1
    ON r1.lead_id = l.lead_id
), totals AS (
  SELECT
    *,
    LEAST(c_team_size + c_large_team + c_paying + c_verified, 40) AS fit,
    ROUND(CAST(LEAST(c_features + c_invites + c_billing, 50) AS DECIMAL), 2) AS behaviour
  FROM parts
), scored AS (
  SELECT
    *,
    ROUND(CAST(LEAST(fit + behaviour, 90) AS DECIMAL), 2) AS total
  FROM totals
)
SELECT
  lead_id,
  fit,
  behaviour,
  total,
  NULL AS grade,
  CASE
    WHEN disqualified = 1
    THEN 'disqualified'
    WHEN total >= 70
    THEN 'sql'
    WHEN total >= 40
    THEN 'mql'
    ELSE 'none'
  END AS stage,
  c_team_size,
  c_large_team,
  c_paying,
  c_verified,
  c_features,
  c_invites,
  c_billing
FROM scored
ORDER BY
  lead_id
{%- elif target.type == 'bigquery' %}
WITH params AS (
  SELECT
    DATE_DIFF(CAST({{ campc_as_of() }} AS DATE), CAST('1970-01-01' AS DATE), DAY) AS as_of_day
), lead_events AS (
  SELECT
    e.lead_id,
    e.event_type,
    p.as_of_day - CAST(FLOOR(UNIX_SECONDS(e.occurred_at) / 86400) AS INT64) AS age_days
  FROM {{ source('campc', 'events') }} AS e
  CROSS JOIN params AS p
  WHERE
    p.as_of_day - CAST(FLOOR(UNIX_SECONDS(e.occurred_at) / 86400) AS INT64) >= 0
), behaviour_raw AS (
  SELECT
    lead_id,
    CASE
      WHEN MIN(CASE WHEN event_type = 'billing_viewed' THEN age_days ELSE NULL END) IS NULL
      THEN 0
      ELSE 10
    END AS c_billing
  FROM lead_events
  GROUP BY
    lead_id
), numbered_0 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (
      PARTITION BY lead_id, FLOOR(CAST(age_days AS FLOAT64) / 1.0)
      ORDER BY age_days NULLS LAST
    ) AS rn
  FROM lead_events
  WHERE
    event_type = 'feature_used'
), limited_0 AS (
  SELECT
    lead_id,
    CASE
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) > 30
      THEN 30
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) < -30
      THEN -30
      ELSE ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2)
    END AS c_features
  FROM numbered_0
  WHERE
    rn <= 2
  GROUP BY
    lead_id
), numbered_1 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (
      PARTITION BY lead_id, FLOOR(CAST(age_days AS FLOAT64) / 7.0)
      ORDER BY age_days NULLS LAST
    ) AS rn
  FROM lead_events
  WHERE
    event_type = 'invite_sent'
), limited_1 AS (
  SELECT
    lead_id,
    ROUND(SUM(CASE WHEN event_type = 'invite_sent' THEN 5 ELSE 0 END), 2) AS c_invites
  FROM numbered_1
  WHERE
    rn <= 3
  GROUP BY
    lead_id
), parts AS (
  SELECT
    l.lead_id,
    CASE
      WHEN CASE
        WHEN REGEXP_CONTAINS(CAST(l.seats AS STRING), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$')
        THEN CAST(CAST(l.seats AS STRING) AS FLOAT64)
        ELSE NULL
      END BETWEEN 5.0 AND 49.0
      THEN 10
      ELSE 0
    END AS c_team_size,
    CASE
      WHEN CASE
        WHEN REGEXP_CONTAINS(CAST(l.seats AS STRING), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$')
        THEN CAST(CAST(l.seats AS STRING) AS FLOAT64)
        ELSE NULL
      END > 49.0
      THEN 25
      ELSE 0
    END AS c_large_team,
    CASE WHEN NOT CAST(l.plan AS STRING) IN ('free') THEN 15 ELSE 0 END AS c_paying,
    CASE WHEN CAST(l.verified AS STRING) = 'true' THEN 5 ELSE 0 END AS c_verified,
    COALESCE(r0.c_features, 0) AS c_features,
    COALESCE(r1.c_invites, 0) AS c_invites,
    COALESCE(b.c_billing, 0) AS c_billing,
    0 AS disqualified
  FROM {{ source('campc', 'leads') }} AS l
  LEFT JOIN behaviour_raw AS b
    ON b.lead_id = l.lead_id
  LEFT JOIN limited_0 AS r0
    ON r0.lead_id = l.lead_id
  LEFT JOIN limited_1 AS r1
    ON r1.lead_id = l.lead_id
), totals AS (
  SELECT
    *,
    LEAST(c_team_size + c_large_team + c_paying + c_verified, 40) AS fit,
    ROUND(LEAST(c_features + c_invites + c_billing, 50), 2) AS behaviour
  FROM parts
), scored AS (
  SELECT
    *,
    ROUND(LEAST(fit + behaviour, 90), 2) AS total
  FROM totals
)
SELECT
  lead_id,
  fit,
  behaviour,
  total,
  NULL AS grade,
  CASE
    WHEN disqualified = 1
    THEN 'disqualified'
    WHEN total >= 70
    THEN 'sql'
    WHEN total >= 40
    THEN 'mql'
    ELSE 'none'
  END AS stage,
  c_team_size,
  c_large_team,
  c_paying,
  c_verified,
  c_features,
  c_invites,
  c_billing
FROM scored
ORDER BY
  lead_id
{%- elif target.type == 'snowflake' %}
WITH params AS (
  SELECT
    DATEDIFF(DAY, CAST('1970-01-01' AS DATE), CAST({{ campc_as_of() }} AS DATE)) AS as_of_day
), lead_events AS (
  SELECT
    e.lead_id,
    e.event_type,
    p.as_of_day - CAST(FLOOR(EXTRACT(epoch_second FROM e.occurred_at) / 86400) AS BIGINT) AS age_days
  FROM {{ source('campc', 'events') }} AS e
  CROSS JOIN params AS p
  WHERE
    p.as_of_day - CAST(FLOOR(EXTRACT(epoch_second FROM e.occurred_at) / 86400) AS BIGINT) >= 0
), behaviour_raw AS (
  SELECT
    lead_id,
    CASE
      WHEN MIN(CASE WHEN event_type = 'billing_viewed' THEN age_days ELSE NULL END) IS NULL
      THEN 0
      ELSE 10
    END AS c_billing
  FROM lead_events
  GROUP BY
    lead_id
), numbered_0 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE) / 1.0) ORDER BY age_days) AS rn
  FROM lead_events
  WHERE
    event_type = 'feature_used'
), limited_0 AS (
  SELECT
    lead_id,
    CASE
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) > 30
      THEN 30
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) < -30
      THEN -30
      ELSE ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2)
    END AS c_features
  FROM numbered_0
  WHERE
    rn <= 2
  GROUP BY
    lead_id
), numbered_1 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE) / 7.0) ORDER BY age_days) AS rn
  FROM lead_events
  WHERE
    event_type = 'invite_sent'
), limited_1 AS (
  SELECT
    lead_id,
    ROUND(SUM(CASE WHEN event_type = 'invite_sent' THEN 5 ELSE 0 END), 2) AS c_invites
  FROM numbered_1
  WHERE
    rn <= 3
  GROUP BY
    lead_id
), parts AS (
  SELECT
    l.lead_id,
    CASE
      WHEN CASE
        WHEN REGEXP_INSTR(CAST(l.seats AS VARCHAR), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') > 0
        THEN CAST(CAST(l.seats AS VARCHAR) AS DOUBLE)
        ELSE NULL
      END BETWEEN 5.0 AND 49.0
      THEN 10
      ELSE 0
    END AS c_team_size,
    CASE
      WHEN CASE
        WHEN REGEXP_INSTR(CAST(l.seats AS VARCHAR), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') > 0
        THEN CAST(CAST(l.seats AS VARCHAR) AS DOUBLE)
        ELSE NULL
      END > 49.0
      THEN 25
      ELSE 0
    END AS c_large_team,
    CASE WHEN NOT CAST(l.plan AS VARCHAR) IN ('free') THEN 15 ELSE 0 END AS c_paying,
    CASE WHEN CAST(l.verified AS VARCHAR) = 'true' THEN 5 ELSE 0 END AS c_verified,
    COALESCE(r0.c_features, 0) AS c_features,
    COALESCE(r1.c_invites, 0) AS c_invites,
    COALESCE(b.c_billing, 0) AS c_billing,
    0 AS disqualified
  FROM {{ source('campc', 'leads') }} AS l
  LEFT JOIN behaviour_raw AS b
    ON b.lead_id = l.lead_id
  LEFT JOIN limited_0 AS r0
    ON r0.lead_id = l.lead_id
  LEFT JOIN limited_1 AS r1
    ON r1.lead_id = l.lead_id
), totals AS (
  SELECT
    *,
    LEAST(c_team_size + c_large_team + c_paying + c_verified, 40) AS fit,
    ROUND(LEAST(c_features + c_invites + c_billing, 50), 2) AS behaviour
  FROM parts
), scored AS (
  SELECT
    *,
    ROUND(LEAST(fit + behaviour, 90), 2) AS total
  FROM totals
)
SELECT
  lead_id,
  fit,
  behaviour,
  total,
  NULL AS grade,
  CASE
    WHEN disqualified = 1
    THEN 'disqualified'
    WHEN total >= 70
    THEN 'sql'
    WHEN total >= 40
    THEN 'mql'
    ELSE 'none'
  END AS stage,
  c_team_size,
  c_large_team,
  c_paying,
  c_verified,
  c_features,
  c_invites,
  c_billing
FROM scored
ORDER BY
  lead_id
{%- elif target.type == 'spark' or target.type == 'databricks' %}
WITH params AS (
  SELECT
    DATEDIFF(DAY, CAST('1970-01-01' AS DATE), CAST({{ campc_as_of() }} AS DATE)) AS as_of_day
), lead_events AS (
  SELECT
    e.lead_id,
    e.event_type,
    p.as_of_day - CAST(FLOOR(UNIX_SECONDS(e.occurred_at) / 86400) AS BIGINT) AS age_days
  FROM {{ source('campc', 'events') }} AS e
  CROSS JOIN params AS p
  WHERE
    p.as_of_day - CAST(FLOOR(UNIX_SECONDS(e.occurred_at) / 86400) AS BIGINT) >= 0
), behaviour_raw AS (
  SELECT
    lead_id,
    CASE
      WHEN MIN(CASE WHEN event_type = 'billing_viewed' THEN age_days ELSE NULL END) IS NULL
      THEN 0
      ELSE 10
    END AS c_billing
  FROM lead_events
  GROUP BY
    lead_id
), numbered_0 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (
      PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE) / 1.0)
      ORDER BY age_days NULLS LAST
    ) AS rn
  FROM lead_events
  WHERE
    event_type = 'feature_used'
), limited_0 AS (
  SELECT
    lead_id,
    CASE
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) > 30
      THEN 30
      WHEN ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2) < -30
      THEN -30
      ELSE ROUND(SUM(CASE WHEN event_type = 'feature_used' THEN 3 ELSE 0 END), 2)
    END AS c_features
  FROM numbered_0
  WHERE
    rn <= 2
  GROUP BY
    lead_id
), numbered_1 AS (
  SELECT
    lead_id,
    event_type,
    age_days,
    ROW_NUMBER() OVER (
      PARTITION BY lead_id, FLOOR(CAST(age_days AS DOUBLE) / 7.0)
      ORDER BY age_days NULLS LAST
    ) AS rn
  FROM lead_events
  WHERE
    event_type = 'invite_sent'
), limited_1 AS (
  SELECT
    lead_id,
    ROUND(SUM(CASE WHEN event_type = 'invite_sent' THEN 5 ELSE 0 END), 2) AS c_invites
  FROM numbered_1
  WHERE
    rn <= 3
  GROUP BY
    lead_id
), parts AS (
  SELECT
    l.lead_id,
    CASE
      WHEN CASE
        WHEN CAST(l.seats AS STRING) RLIKE '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$'
        THEN CAST(CAST(l.seats AS STRING) AS DOUBLE)
        ELSE NULL
      END BETWEEN 5.0 AND 49.0
      THEN 10
      ELSE 0
    END AS c_team_size,
    CASE
      WHEN CASE
        WHEN CAST(l.seats AS STRING) RLIKE '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$'
        THEN CAST(CAST(l.seats AS STRING) AS DOUBLE)
        ELSE NULL
      END > 49.0
      THEN 25
      ELSE 0
    END AS c_large_team,
    CASE WHEN NOT CAST(l.plan AS STRING) IN ('free') THEN 15 ELSE 0 END AS c_paying,
    CASE WHEN CAST(l.verified AS STRING) = 'true' THEN 5 ELSE 0 END AS c_verified,
    COALESCE(r0.c_features, 0) AS c_features,
    COALESCE(r1.c_invites, 0) AS c_invites,
    COALESCE(b.c_billing, 0) AS c_billing,
    0 AS disqualified
  FROM {{ source('campc', 'leads') }} AS l
  LEFT JOIN behaviour_raw AS b
    ON b.lead_id = l.lead_id
  LEFT JOIN limited_0 AS r0
    ON r0.lead_id = l.lead_id
  LEFT JOIN limited_1 AS r1
    ON r1.lead_id = l.lead_id
), totals AS (
  SELECT
    *,
    LEAST(c_team_size + c_large_team + c_paying + c_verified, 40) AS fit,
    ROUND(LEAST(c_features + c_invites + c_billing, 50), 2) AS behaviour
  FROM parts
), scored AS (
  SELECT
    *,
    ROUND(LEAST(fit + behaviour, 90), 2) AS total
  FROM totals
)
SELECT
  lead_id,
  fit,
  behaviour,
  total,
  NULL AS grade,
  CASE
    WHEN disqualified = 1
    THEN 'disqualified'
    WHEN total >= 70
    THEN 'sql'
    WHEN total >= 40
    THEN 'mql'
    ELSE 'none'
  END AS stage,
  c_team_size,
  c_large_team,
  c_paying,
  c_verified,
  c_features,
  c_invites,
  c_billing
FROM scored
ORDER BY
  lead_id
{%- else %}
{{ exceptions.raise_compiler_error("campc compiles product_led_scoring for the adapters duckdb, postgres, bigquery, snowflake, spark, databricks, not " ~ target.type) }}
{%- endif %}
