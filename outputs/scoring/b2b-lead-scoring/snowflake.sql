WITH params AS (
  SELECT
    DATEDIFF(DAY, CAST('1970-01-01' AS DATE), CAST($as_of AS DATE)) AS as_of_day
), lead_events AS (
  SELECT
    e.lead_id,
    e.event_type,
    p.as_of_day - CAST(FLOOR(EXTRACT(epoch_second FROM e.occurred_at) / 86400) AS BIGINT) AS age_days
  FROM crm.crm_events AS e
  CROSS JOIN params AS p
  WHERE
    p.as_of_day - CAST(FLOOR(EXTRACT(epoch_second FROM e.occurred_at) / 86400) AS BIGINT) >= 0
), behaviour_raw AS (
  SELECT
    lead_id,
    CASE
      WHEN MIN(
        CASE
          WHEN event_type = 'webinar_attended' AND age_days < 180
          THEN age_days
          ELSE NULL
        END
      ) IS NULL
      THEN 0
      ELSE ROUND(
        10 * POWER(
          0.5,
          CAST(MIN(
            CASE
              WHEN event_type = 'webinar_attended' AND age_days < 180
              THEN age_days
              ELSE NULL
            END
          ) AS DOUBLE) / 30.0
        ),
        2
      )
    END AS c_webinar,
    ROUND(
      SUM(
        CASE
          WHEN event_type = 'demo_requested' AND age_days < 180
          THEN ROUND(30 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
          ELSE 0
        END
      ),
      2
    ) AS c_demo,
    ROUND(
      SUM(
        CASE
          WHEN event_type = 'trial_started' AND age_days < 180
          THEN ROUND(25 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
          ELSE 0
        END
      ),
      2
    ) AS c_trial,
    CASE
      WHEN ROUND(
        SUM(
          CASE
            WHEN event_type = 'email_clicked' AND age_days < 30 AND age_days < 180
            THEN ROUND(2 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
            ELSE 0
          END
        ),
        2
      ) > 10
      THEN 10
      WHEN ROUND(
        SUM(
          CASE
            WHEN event_type = 'email_clicked' AND age_days < 30 AND age_days < 180
            THEN ROUND(2 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
            ELSE 0
          END
        ),
        2
      ) < -10
      THEN -10
      ELSE ROUND(
        SUM(
          CASE
            WHEN event_type = 'email_clicked' AND age_days < 30 AND age_days < 180
            THEN ROUND(2 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
            ELSE 0
          END
        ),
        2
      )
    END AS c_clicks,
    ROUND(
      SUM(
        CASE
          WHEN event_type = 'unsubscribed' AND age_days < 180
          THEN ROUND(-15 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
          ELSE 0
        END
      ),
      2
    ) AS c_unsubscribe,
    MAX(CASE WHEN event_type IN ('unsubscribed') THEN 1 ELSE 0 END) AS dq_events
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
    event_type = 'pricing_page_viewed' AND age_days < 30 AND age_days < 180
), limited_0 AS (
  SELECT
    lead_id,
    CASE
      WHEN ROUND(
        SUM(
          CASE
            WHEN event_type = 'pricing_page_viewed' AND age_days < 30 AND age_days < 180
            THEN ROUND(5 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
            ELSE 0
          END
        ),
        2
      ) > 15
      THEN 15
      WHEN ROUND(
        SUM(
          CASE
            WHEN event_type = 'pricing_page_viewed' AND age_days < 30 AND age_days < 180
            THEN ROUND(5 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
            ELSE 0
          END
        ),
        2
      ) < -15
      THEN -15
      ELSE ROUND(
        SUM(
          CASE
            WHEN event_type = 'pricing_page_viewed' AND age_days < 30 AND age_days < 180
            THEN ROUND(5 * POWER(0.5, CAST(age_days AS DOUBLE) / 30.0), 2)
            ELSE 0
          END
        ),
        2
      )
    END AS c_pricing_views
  FROM numbered_0
  WHERE
    rn <= 1
  GROUP BY
    lead_id
), parts AS (
  SELECT
    l.lead_id,
    CASE
      WHEN CASE
        WHEN REGEXP_INSTR(CAST(l.company_size AS VARCHAR), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') > 0
        THEN CAST(CAST(l.company_size AS VARCHAR) AS DOUBLE)
        ELSE NULL
      END BETWEEN 50.0 AND 199.0
      THEN 5
      ELSE 0
    END AS c_small_business,
    CASE
      WHEN CASE
        WHEN REGEXP_INSTR(CAST(l.company_size AS VARCHAR), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') > 0
        THEN CAST(CAST(l.company_size AS VARCHAR) AS DOUBLE)
        ELSE NULL
      END >= 200.0
      THEN 15
      ELSE 0
    END AS c_mid_market,
    CASE
      WHEN CASE
        WHEN REGEXP_INSTR(CAST(l.company_size AS VARCHAR), '^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') > 0
        THEN CAST(CAST(l.company_size AS VARCHAR) AS DOUBLE)
        ELSE NULL
      END >= 2000.0
      THEN 10
      ELSE 0
    END AS c_enterprise,
    CASE
      WHEN CAST(l.job_level AS VARCHAR) IN ('director', 'vp', 'c_level')
      THEN 20
      ELSE 0
    END AS c_senior,
    CASE WHEN CAST(l.country AS VARCHAR) IN ('FR', 'DE', 'GB', 'US') THEN 5 ELSE 0 END AS c_target_country,
    CASE WHEN CAST(l.email_domain_type AS VARCHAR) = 'personal' THEN -20 ELSE 0 END AS c_personal_email,
    COALESCE(r0.c_pricing_views, 0) AS c_pricing_views,
    COALESCE(b.c_webinar, 0) AS c_webinar,
    COALESCE(b.c_demo, 0) AS c_demo,
    COALESCE(b.c_trial, 0) AS c_trial,
    COALESCE(b.c_clicks, 0) AS c_clicks,
    COALESCE(b.c_unsubscribe, 0) AS c_unsubscribe,
    GREATEST(
      CASE
        WHEN REGEXP_INSTR(CAST(l.industry AS VARCHAR), '^(education|academic)') > 0
        THEN 1
        ELSE 0
      END,
      COALESCE(b.dq_events, 0)
    ) AS disqualified
  FROM crm.crm_leads AS l
  LEFT JOIN behaviour_raw AS b
    ON b.lead_id = l.lead_id
  LEFT JOIN limited_0 AS r0
    ON r0.lead_id = l.lead_id
), totals AS (
  SELECT
    *,
    LEAST(
      c_small_business + c_mid_market + c_enterprise + c_senior + c_target_country + c_personal_email,
      50
    ) AS fit,
    ROUND(
      LEAST(c_pricing_views + c_webinar + c_demo + c_trial + c_clicks + c_unsubscribe, 60),
      2
    ) AS behaviour
  FROM parts
), scored AS (
  SELECT
    *,
    ROUND(GREATEST(LEAST(fit + behaviour, 100), -20), 2) AS total
  FROM totals
)
SELECT
  lead_id,
  fit,
  behaviour,
  total,
  CASE
    WHEN fit >= 40
    THEN 'A'
    WHEN fit >= 25
    THEN 'B'
    WHEN fit >= 10
    THEN 'C'
    WHEN fit >= -100
    THEN 'D'
    ELSE NULL
  END AS grade,
  CASE
    WHEN disqualified = 1
    THEN 'disqualified'
    WHEN total >= 75
    THEN 'sql'
    WHEN total >= 50
    THEN 'mql'
    ELSE 'none'
  END AS stage,
  c_small_business,
  c_mid_market,
  c_enterprise,
  c_senior,
  c_target_country,
  c_personal_email,
  c_pricing_views,
  c_webinar,
  c_demo,
  c_trial,
  c_clicks,
  c_unsubscribe
FROM scored
ORDER BY
  lead_id;
