"""Page script for st.navigation (and AppTest.switch_page): runs the page's render() guarded."""

from portfolio.ui.pages import deadlines
from portfolio.ui.runtime import guarded

guarded(deadlines.render)()
