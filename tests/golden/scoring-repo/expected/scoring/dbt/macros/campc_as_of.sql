{#- The as-of date of campc's scoring models: var('as_of'), written YYYY-MM-DD,
    else the day the run started (UTC). -#}
{% macro campc_as_of() -%}
  {%- set day = var('as_of', run_started_at.strftime('%Y-%m-%d')) | string -%}
  {%- if modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', day) is none -%}
    {{ exceptions.raise_compiler_error(
         "var('as_of') must be a date written YYYY-MM-DD, not " ~ day) }}
  {%- endif -%}
  '{{ day }}'
{%- endmacro %}
