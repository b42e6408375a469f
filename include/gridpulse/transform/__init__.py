"""Running the dbt project that turns raw rows into marts."""
