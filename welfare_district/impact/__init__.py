"""Register of actions (calls, projects, activities, beneficiaries), monitoring and impact comparisons."""
