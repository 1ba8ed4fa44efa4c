"""The only Streamlit code of components/: sidebar, shared state, sign-in, figure display."""
